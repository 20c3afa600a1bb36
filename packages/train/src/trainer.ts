import { tf, FusedFcn, fusedUnavailable, FUSED_THREADS, type EngineInfo } from '@imp/engine';
import type { NamedTensor } from '@imp/artifacts';
import { gatherRows } from './batches.ts';
import { evaluate, scoreLogits, type EvalResult } from './evaluate.ts';
import type { LoadedDataset, Split } from './dataset-io.ts';
import { Net, type LayerValues } from './model.ts';
import { Optimizer } from './optimizer.ts';
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

/** Fused unless the backend is not native, the optimizer is not SGD, or IMP_FUSED=0 asks for tfjs. */
export function fusedChoice(info: EngineInfo, c: TrainConfig): string | null {
  if (process.env.IMP_FUSED === '0') return 'IMP_FUSED=0';
  if (info.backend !== 'native') return `backend ${info.backend}`;
  return fusedUnavailable(c.optimizer);
}

export function makeTrainer(
  fused: boolean,
  values: LayerValues[],
  c: TrainConfig,
  dim: number,
  classes: number,
  evalB: number,
): Trainer {
  return fused ? fusedTrainer(values, c, dim, evalB) : tfjsTrainer(values, c, dim, classes, evalB);
}

/** Threads the fused step runs on (recorded in the manifest's backend info). */
export const fusedThreads = FUSED_THREADS;

function fusedTrainer(values: LayerValues[], c: TrainConfig, dim: number, evalB: number): Trainer {
  const f = new FusedFcn(values, c.batchSize, evalB, {
    lr: c.lr,
    momentum: c.momentum,
    weightDecay: c.weightDecay,
    eps: c.bnEpsilon,
    bnDecay: c.bnDecay,
  });
  const idx = new Int32Array(evalB);
  return {
    kind: 'fused',
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

function tfjsTrainer(values: LayerValues[], c: TrainConfig, dim: number, classes: number, evalB: number): Trainer {
  const net = new Net(values, c.bnEpsilon, c.bnDecay);
  const params = net.trainable();
  const opt = new Optimizer(c, params);
  const B = c.batchSize;
  const xb = new Float32Array(B * dim);
  const evBuf = new Float32Array(evalB * dim);
  const evIdx = new Int32Array(evalB);
  return {
    kind: 'tfjs',
    get emaReady() {
      return net.emaReady;
    },
    set emaReady(v: boolean) {
      net.emaReady = v;
    },
    input: () => xb,
    setEmaFromBatch() {
      const x = tf.tensor2d(xb, [B, dim]);
      net.setEmaFromBatch(x);
      x.dispose();
    },
    step(labels, step) {
      const x = tf.tensor2d(xb, [B, dim]);
      const y = tf.tensor1d(labels, 'int32');
      const loss = tf.tidy(() => {
        const onehot = tf.oneHot(y, classes).toFloat();
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(onehot, net.forwardTrain(x, 'update')) as tf.Scalar,
          params.map((p) => p.v),
        );
        opt.apply(grads, step);
        return value.dataSync()[0]!;
      });
      x.dispose();
      y.dispose();
      return loss;
    },
    evaluate(ds, split, n) {
      return evaluate(net, ds, split, n, evalB, evBuf, evIdx);
    },
    exportParams: () => net.export(),
    exportState: () => [...net.export(), ...opt.export()],
    import(t) {
      net.import(t);
      opt.import(t);
    },
    maskedNonZero: () => net.maskedNonZero(),
    dispose() {
      net.dispose();
      opt.dispose();
    },
  };
}
