import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArtifactError, ConfigError, openArtifact, readMetricsFile, readTensorFile, runStage } from '@imp/artifacts';
import { trainStage } from './stage.ts';
import { glorotNormal } from '@imp/artifacts';
import { paramsBytes, quiet, syntheticDataset, syntheticMask, tempStore } from './test-helpers.ts';

const base = {
  arch: 'f12:f8:x',
  steps: 60,
  batchSize: 32,
  evalEvery: 20,
  checkpointEvery: 25,
  rewindStep: 10,
  trainEvalSize: 100,
};
const dims = [36, 12, 8, 3];

async function params(dir: string) {
  const a = await openArtifact(dir, { kind: 'parameters' });
  const { tensors, metadata } = readTensorFile(a.file('params.arrow'), 'float32');
  return { metadata, t: new Map(tensors.map((x) => [x.name, x.data as Float32Array])) };
}

test('train: outputs, metrics, step-0 init = Glorot(seed), determinism', async () => {
  const store = tempStore();
  const ds = await syntheticDataset(store);
  const r = await runStage(trainStage, {
    config: { ...base, seed: 4 },
    inputs: { dataset: ds.dir },
    store,
    log: quiet,
  });
  assert.deepEqual(Object.keys(r.outputs).sort(), ['final', 'init', 'metrics', 'rewind']);
  const init = await params(r.outputs.init!.dir);
  assert.deepEqual(init.t.get('W2'), glorotNormal(4, 2, 12, 8));
  assert.ok(init.t.get('b1')!.every((v) => v === 0) && init.t.get('bn1.gamma')!.every((v) => v === 1));
  assert.equal(init.metadata.step, '0');
  assert.equal((await params(r.outputs.rewind!.dir)).metadata.step, '10');
  const fin = await params(r.outputs.final!.dir);
  assert.equal(fin.metadata.step, '60');
  assert.deepEqual([...fin.t.keys()].slice(0, 6), ['W1', 'b1', 'bn1.gamma', 'bn1.beta', 'bn1.mean', 'bn1.var']);
  // Border pixels are constant 0 → zero batch variance; ε = 1e-10 must still give finite values.
  for (const v of fin.t.values()) assert.ok(v.every(Number.isFinite));
  const m = await openArtifact(r.outputs.metrics!.dir, { kind: 'metrics' });
  const rows = readMetricsFile(m.file('metrics.arrow'));
  assert.deepEqual([...new Set(rows.map((x) => x.step))], [0, 20, 40, 60]);
  assert.ok(rows.some((x) => x.split === 'train' && x.metric === 'top1'));
  const s = m.manifest.summary as Record<string, number>;
  assert.ok(s.best_val_top1! > 0.6, `learns the synthetic task (best ${s.best_val_top1})`);
  assert.equal(s.steps, 60);
  assert.ok(typeof (m.manifest.backend as Record<string, unknown>).backend === 'string');
  // Same seed and config in another store ⇒ byte-identical parameters.
  const store2 = tempStore();
  const ds2 = await syntheticDataset(store2);
  const r2 = await runStage(trainStage, {
    config: { ...base, seed: 4 },
    inputs: { dataset: ds2.dir },
    store: store2,
    log: quiet,
  });
  assert.deepEqual(await paramsBytes(r2.outputs.final!.dir), await paramsBytes(r.outputs.final!.dir));
});

for (const backend of ['cpu', 'native', 'wasm'])
  test(`train: masked weights and biases stay exactly zero (${backend} backend; momentum+wd, adam, sparse mask)`, async (t) => {
    const prev = process.env.IMP_BACKEND;
    process.env.IMP_BACKEND = backend;
    try {
      const store = tempStore();
      const ds = await syntheticDataset(store);
      // Layer 1 at 3% density (the engine's sparse CSR path), layer 2 at ~50%.
      const keep = (l: number, i: number) => (l === 1 ? (i * 7919) % 100 < 3 : (i * 31) % 2 === 0);
      const mask = await syntheticMask(store, base.arch, dims, [1, 2], keep);
      for (const opt of [
        { optimizer: 'sgd', momentum: 0.9, weightDecay: 1e-3 },
        { optimizer: 'adam', lr: 0.01, weightDecay: 1e-3 },
      ]) {
        const r = await runStage(trainStage, {
          config: { ...base, ...opt, rewindStep: null, trainEvalSize: 0 },
          inputs: { dataset: ds.dir, mask: mask.dir },
          store,
          log: quiet,
        });
        const m = await openArtifact(r.outputs.metrics!.dir);
        const got = (m.manifest.backend as { backend: string }).backend;
        if (got !== backend) {
          t.skip(`backend ${backend} unavailable (got ${got})`);
          return;
        }
        const p = await params(r.outputs.final!.dir);
        let zeros = 0,
          moved = 0;
        for (const l of [1, 2]) {
          const [i, o] = [dims[l - 1]!, dims[l]!];
          const w = p.t.get(`W${l}`)!,
            b = p.t.get(`b${l}`)!;
          for (let k = 0; k < i * o; k++)
            if (!keep(l, k)) {
              assert.equal(w[k], 0, `W${l}[${k}]`);
              zeros++;
            } else if (w[k] !== 0) moved++;
          for (let k = 0; k < o; k++)
            if (!keep(l, i * o + k)) {
              assert.equal(b[k], 0, `b${l}[${k}]`);
              zeros++;
            }
        }
        assert.ok(zeros > 300 && moved > 50);
      }
    } finally {
      if (prev === undefined) delete process.env.IMP_BACKEND;
      else process.env.IMP_BACKEND = prev;
    }
  });

test('train: bad inputs give named errors', async () => {
  const store = tempStore();
  const ds = await syntheticDataset(store);
  const other = await runStage(trainStage, {
    config: { ...base, arch: 'f10:x', steps: 2, rewindStep: null },
    inputs: { dataset: ds.dir },
    store,
    log: quiet,
  });
  await assert.rejects(
    runStage(trainStage, {
      config: base,
      inputs: { dataset: ds.dir, start: other.outputs.final!.dir },
      store,
      log: quiet,
    }),
    (e: unknown) => e instanceof ArtifactError && /parameters for f10:x/.test(e.message),
  );
  const badMask = await syntheticMask(store, base.arch, [36, 13, 8, 3], [1], () => true);
  await assert.rejects(
    runStage(trainStage, { config: base, inputs: { dataset: ds.dir, mask: badMask.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ArtifactError && /mask tensor 'W1' has shape \[36,13\]/.test(e.message),
  );
  const otherMask = await syntheticMask(store, 'f10:x', [36, 10, 3], [1], () => true);
  await assert.rejects(
    runStage(trainStage, { config: base, inputs: { dataset: ds.dir, mask: otherMask.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ArtifactError && /mask is for arch 'f10:x'/.test(e.message),
  );
  await assert.rejects(
    runStage(trainStage, { config: { ...base, rewindStep: 100 }, inputs: { dataset: ds.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ConfigError && /rewindStep/.test(e.message),
  );
  await assert.rejects(
    runStage(trainStage, { config: { ...base, arch: 'c3,8,1:x' }, inputs: { dataset: ds.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ConfigError && /arch/.test(e.message),
  );
  await assert.rejects(
    runStage(trainStage, { config: { ...base, lr: -1 }, inputs: { dataset: ds.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ConfigError && /'lr'/.test(e.message),
  );
});
