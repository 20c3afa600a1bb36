// No tfjs here: the fused path must start without loading it (issue 12). The tfjs path lives in
// tfjs-trainer.ts and is imported only when it runs.
import { FusedFcn, fusedThreadsFor } from '@imp/engine/fused-fcn';
import type { FcnLayerValues } from '@imp/engine/fcn-values';
import { gatherRows } from '@imp/engine/rows';
import type { NamedTensor } from '@imp/artifacts';
import { scoreLogits, type EvalResult } from './score.ts';
import type { LoadedDataset, Split } from './dataset-io.ts';
import type { TrainConfig } from './stage.ts';

/**
 * One training run's model and optimizer behind one interface, so run.ts is the same for the
 * fused native step (one addon call per step, issue 12) and the tfjs kernel path (reference and
 * fallback: wasm, cpu, Adam). Both export the same tensor names, so checkpoints and parameter
 * files have one format.
 */
export interface Trainer {
  readonly kind: 'fused' | 'tfjs';
  emaReady: boolean;
  /** Buffer for the next training batch's normalised rows [batch, dim]. */
  input(): Float32Array;
  setEmaFromBatch(): void;
  /** One update on input(); returns the batch's mean cross-entropy. */
  step(labels: Int32Array, step: number): number;
  evaluate(ds: LoadedDataset, split: Split, n: number): EvalResult;
  exportParams(): NamedTensor<Float32Array>[];
  exportState(): NamedTensor<Float32Array>[];
  import(t: Map<string, Float32Array>): void;
  maskedNonZero(): number;
  dispose(): void;
}

/**
 * The fused trainer; `available` threads (the engine's, IMP_THREADS or the cores) bound the thread
 * rule by size (fusedThreadsFor). Its `threads` go into the manifest's backend info.
 */
export function fusedTrainer(
  values: FcnLayerValues[],
  c: TrainConfig,
  dim: number,
  evalB: number,
  available: number,
): Trainer & { threads: number } {
  const threads = fusedThreadsFor([dim, ...values.map((v) => v.fanOut)], c.batchSize, available);
  const f = new FusedFcn(
    values,
    c.batchSize,
    evalB,
    { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, eps: c.bnEpsilon, bnDecay: c.bnDecay },
    undefined,
    threads,
  );
  const idx = new Int32Array(evalB);
  return {
    kind: 'fused',
    threads,
    get emaReady() {
      return f.emaReady;
    },
    set emaReady(v: boolean) {
      f.emaReady = v;
    },
    input: () => f.input(),
    setEmaFromBatch: () => f.setEmaFromBatch(),
    step: (labels) => f.step(labels),
    evaluate(ds, split, n) {
      // As evaluate.ts: eval-mode forward per batch, scored by the same scoreLogits.
      const acc = { loss: 0, c1: 0, c5: 0 };
      const buf = f.evalInput();
      for (let from = 0; from < n; from += evalB) {
        const count = Math.min(evalB, n - from);
        for (let i = 0; i < count; i++) idx[i] = from + i;
        gatherRows(split.x, dim, ds.offset, ds.scale, idx, count, buf);
        scoreLogits(f.evalLogits(), split.y, from, count, ds.numClasses, acc);
      }
      return { loss: acc.loss / n, top1: acc.c1 / n, top5: acc.c5 / n };
    },
    exportParams: () => f.exportParams(),
    exportState: () => [...f.exportParams(), ...f.exportOptimizer()],
    import: (t) => f.import(t),
    maskedNonZero: () => f.maskedNonZero(),
    dispose: () => {},
  };
}
