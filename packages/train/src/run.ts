import { join } from 'node:path';
import {
  ArtifactError,
  writeMetricsFile,
  writeTensorFile,
  type MetricRow,
  type NamedTensor,
  type StageContext,
} from '@imp/artifacts';
import { fusedEngine } from '@imp/engine/fused-engine';
import { parseArch } from '@imp/artifacts';
import { BatchSampler } from './batches.ts';
import { gatherRows } from '@imp/engine/rows';
import { loadCheckpoint, removeCheckpoints, saveCheckpoint, type TrainState } from './checkpoint.ts';
import { loadDataset } from './dataset-io.ts';
import { glorotNormal } from '@imp/artifacts';
import type { FcnLayerValues as LayerValues } from '@imp/engine/fcn-values';
import { fusedTrainer, type Trainer } from './trainer.ts';
import { loadMaskFor, loadParams } from '@imp/artifacts';
import { makeProgress } from './progress.ts';
import type { TrainConfig } from './stage.ts';

/**
 * Test hooks (never set in production): called after each checkpoint is on disk, so a test can
 * abort the run there (throw) exactly like a kill, and a TTY override for the progress display.
 */
export const trainHooks: { afterCheckpoint?: (step: number) => void; tty?: boolean } = {};

/** `<store>/.work/<final id>/`: where runStage puts ctx.workDir (used when a caller gives none). */
export function workDirOf(store: string, finalId: string): string {
  return join(store, '.work', finalId);
}

export async function runTrain(ctx: StageContext<TrainConfig>): Promise<void> {
  const c = ctx.config;
  // Issue 12: the fused native step when it applies (decided without loading tfjs), else the
  // tfjs kernels; the manifest records which, and why not.
  const fused = fusedEngine(c.optimizer);
  const ds = loadDataset(ctx.inputs.dataset!);
  const layers = parseArch(c.arch, ds.dim, ds.numClasses);

  // Starting values: given parameters (checked against arch and dataset) or the spec §1.1 init.
  let values: LayerValues[];
  if (ctx.inputs.start) {
    const p = loadParams(ctx.inputs.start);
    if (p.arch !== c.arch || p.inputDim !== ds.dim || p.numClasses !== ds.numClasses)
      throw new ArtifactError(
        `${p.file}: parameters for ${p.arch} (${p.inputDim} inputs, ${p.numClasses} classes), but config arch is ${c.arch} and the dataset has ${ds.dim} inputs, ${ds.numClasses} classes`,
        'bad-input',
        p.file,
      );
    const get = (n: string, len: number, req: boolean) => {
      const t = p.tensors.get(n);
      if (!t) {
        if (req) throw new ArtifactError(`${p.file}: no tensor '${n}'`, 'bad-table', p.file);
        return undefined;
      }
      if (t.data.length !== len)
        throw new ArtifactError(
          `${p.file}: tensor '${n}' has ${t.data.length} values, expected ${len}`,
          'bad-table',
          p.file,
        );
      return t.data;
    };
    const hasStats = layers.every((L) => p.tensors.has(`bn${L.l}.mean`) && p.tensors.has(`bn${L.l}.var`));
    values = layers.map((L) => ({
      ...L,
      w: get(`W${L.l}`, L.fanIn * L.fanOut, true)!,
      b: get(`b${L.l}`, L.fanOut, true)!,
      gamma: get(`bn${L.l}.gamma`, L.fanIn, true)!,
      beta: get(`bn${L.l}.beta`, L.fanIn, true)!,
      mean: hasStats ? get(`bn${L.l}.mean`, L.fanIn, true) : undefined,
      variance: hasStats ? get(`bn${L.l}.var`, L.fanIn, true) : undefined,
    }));
  } else {
    values = layers.map((L) => ({
      ...L,
      w: glorotNormal(c.seed, L.l, L.fanIn, L.fanOut),
      b: new Float32Array(L.fanOut),
      gamma: new Float32Array(L.fanIn).fill(1),
      beta: new Float32Array(L.fanIn),
    }));
  }
  if (ctx.inputs.mask) {
    const m = loadMaskFor(ctx.inputs.mask, { arch: c.arch, layers, file: `config arch of stage train` });
    for (const v of values) {
      v.mw = m.tensors.get(`W${v.l}`)?.data;
      v.mb = m.tensors.get(`b${v.l}`)?.data;
    }
  }

  const B = c.batchSize;
  const D = ds.dim;
  const nVal = Math.min(c.valSize ?? ds.val.n, ds.val.n);
  const nTrainEval = Math.min(c.trainEvalSize, ds.train.n);
  const evalB = Math.min(c.evalBatchSize, Math.max(nVal, nTrainEval, 1));
  let net: Trainer;
  let backend: Record<string, unknown>;
  if ('info' in fused) {
    const f = fusedTrainer(values, c, D, evalB, fused.info.threads ?? 1);
    net = f;
    backend = { ...fused.info, step: 'fused', threads: f.threads };
  } else {
    const { initEngine } = await import('@imp/engine');
    const info = await initEngine();
    const { tfjsTrainer } = await import('./tfjs-trainer.ts');
    net = tfjsTrainer(values, c, D, ds.numClasses, evalB);
    backend = { ...info, step: 'tfjs', ...(info.backend === 'native' ? { fused_off: fused.why } : {}) };
  }
  // Checkpoints go to the run's owned work directory (runStage's owner record beside them).
  const workDir = ctx.workDir ?? workDirOf(ctx.store, ctx.planned.final!.id);
  const meta = (step: number): Record<string, string> => ({
    arch: c.arch,
    input_dim: String(ds.dim),
    num_classes: String(ds.numClasses),
    step: String(step),
    level: String(c.level),
  });
  const writeParams = (role: string, step: number, tensors: NamedTensor[]) =>
    ctx.write(
      role,
      async (dir) => {
        writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', meta(step));
        return { summary: { arch: c.arch, step, level: c.level } };
      },
      { backend },
    );

  let st: TrainState = { step: 0, emaReady: net.emaReady, rows: [], lossSum: 0, lossCount: 0, elapsedS: 0 };
  const ck = loadCheckpoint(workDir, ctx.log);
  if (ck) {
    net.import(ck.tensors);
    st = ck.state;
    net.emaReady = st.emaReady;
    ctx.log(`resuming from the checkpoint at step ${st.step} (${workDir})`);
  }

  const idx = new Int32Array(B);
  const yb = new Int32Array(B);
  const sampler = new BatchSampler(ds.train.n, B, c.seed, c.sampling);
  const progress = makeProgress(c.steps, st.step, ctx.log, trainHooks.tty);

  const doEval = (step: number) => {
    const row = (split: string, metric: string, value: number) =>
      st.rows.push({ level: c.level, step, split, metric, value });
    if (st.lossCount > 0) row('train', 'loss', st.lossSum / st.lossCount);
    st.lossSum = 0;
    st.lossCount = 0;
    if (nTrainEval > 0) {
      const r = net.evaluate(ds, ds.train, nTrainEval);
      row('train', 'top1', r.top1);
      row('train', 'top5', r.top5);
    }
    const v = net.evaluate(ds, ds.val, nVal);
    row('val', 'loss', v.loss);
    row('val', 'top1', v.top1);
    row('val', 'top5', v.top5);
    progress.update(step, { val: v.top1 });
  };

  const t0 = performance.now() - st.elapsedS * 1000;
  let tHot = 0;
  let hotSteps = 0;
  for (let step = st.step; step < c.steps; step++) {
    sampler.indices(step, idx);
    gatherRows(ds.train.x, D, ds.offset, ds.scale, idx, B, net.input());
    for (let i = 0; i < B; i++) yb[i] = ds.train.y[idx[i]!]!;
    if (!net.emaReady) net.setEmaFromBatch(); // spec §1.1: EMA starts at the first batch's moments
    st.emaReady = true;
    if (step % c.evalEvery === 0) doEval(step);
    if (c.rewindStep !== null && step === 0) await writeParams('init', 0, net.exportParams());
    if (c.rewindStep !== null && step === c.rewindStep) await writeParams('rewind', step, net.exportParams());
    const th = performance.now();
    const loss = net.step(yb, step);
    tHot += performance.now() - th;
    hotSteps++;
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at step ${step}`);
    st.lossSum += loss;
    st.lossCount++;
    st.step = step + 1;
    progress.update(st.step, { loss });
    if (st.step % c.checkpointEvery === 0 && st.step < c.steps) {
      st.elapsedS = (performance.now() - t0) / 1000;
      saveCheckpoint(workDir, net.exportState(), st);
      trainHooks.afterCheckpoint?.(st.step);
    }
  }
  doEval(c.steps);
  progress.stop();

  const bad = net.maskedNonZero();
  if (bad > 0) throw new Error(`internal: ${bad} masked weights/biases are non-zero after training`);
  const finalTensors = net.exportParams();
  if (c.rewindStep !== null && c.rewindStep === c.steps) await writeParams('rewind', c.steps, finalTensors);
  await writeParams('final', c.steps, finalTensors);

  const val1 = st.rows.filter((r) => r.split === 'val' && r.metric === 'top1');
  const best = val1.reduce((a, r) => (r.value > a.value ? r : a), val1[0]!);
  const last = (m: string) => st.rows.findLast((r) => r.split === 'val' && r.metric === m)!.value;
  const wall = (performance.now() - t0) / 1000;
  const msPerStep = hotSteps > 0 ? tHot / hotSteps : null;
  await ctx.write(
    'metrics',
    async (dir) => {
      writeMetricsFile(join(dir, 'metrics.arrow'), st.rows as MetricRow[]);
      return {
        summary: {
          best_val_top1: best.value,
          best_step: best.step,
          final_val_top1: last('top1'),
          final_val_top5: last('top5'),
          final_val_loss: last('loss'),
          steps: c.steps,
          level: c.level,
          ms_per_step: msPerStep,
        },
        timings: { train_s: wall },
      };
    },
    { backend },
  );
  ctx.log(
    `done: ${c.steps} steps, best val top1 ${best.value.toFixed(4)} at step ${best.step}, final ${last('top1').toFixed(4)}` +
      (msPerStep ? `, ${msPerStep.toFixed(1)} ms/step on ${String(backend.backend)} (${net.kind})` : ''),
  );
  net.dispose();
  removeCheckpoints(workDir);
}
