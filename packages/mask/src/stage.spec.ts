import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArtifactError, ConfigError, openArtifact, readTensorFile, runStage } from '@imp/artifacts';
import { maskStage } from './stage.ts';
import { quiet, tempStore, writeFakeConvParams, writeFakeParams } from '@imp/artifacts/testing';

test('mask stage: 3 levels of layer-wise pruning give round(N·0.7^k) per pruned layer, output layer dense', async () => {
  const store = tempStore();
  const params = await writeFakeParams(store, { arch: 'f40:f20:x', inputDim: 30, numClasses: 5 });
  let prev: string | undefined;
  for (let k = 1; k <= 3; k++) {
    const r = await runStage(maskStage, {
      config: { level: k },
      inputs: { params: params.dir, ...(prev ? { previous: prev } : {}) },
      store,
      log: quiet,
    });
    const a = await openArtifact(r.outputs.mask!.dir, { kind: 'mask' });
    const { tensors, metadata } = readTensorFile(a.file('mask.arrow'), 'uint8');
    assert.equal(metadata.arch, 'f40:f20:x');
    assert.equal(metadata.level, String(k));
    assert.deepEqual(
      tensors.map((t) => t.name),
      ['W1', 'b1', 'W2', 'b2'],
    );
    for (const [l, n] of [
      [1, 30 * 40 + 40],
      [2, 40 * 20 + 20],
    ] as const) {
      const kept = tensors
        .filter((t) => t.name.endsWith(String(l)))
        .reduce((s, t) => s + (t.data as Uint8Array).reduce((x: number, v: number) => x + v, 0), 0);
      assert.equal(kept, Math.round(n * Math.pow(0.7, k)), `layer ${l} level ${k}`);
      const rep = (a.manifest.summary.layers as Record<string, { kept: number; alive_nodes: number }>)[`L${l}`]!;
      assert.equal(rep.kept, kept);
    }
    assert.equal(a.manifest.summary.stop, false);
    prev = a.dir;
  }
  // Same config + inputs ⇒ the same content-addressed artifact, skipped.
  const again = await runStage(maskStage, { config: { level: 1 }, inputs: { params: params.dir }, store, log: quiet });
  assert.equal(again.skipped, true);
});

test('mask stage: stop rule fires at high sparsity; oneshot and random strategies', async () => {
  const store = tempStore();
  const params = await writeFakeParams(store, { arch: 'f16:x', inputDim: 8, numClasses: 3 });
  const r = await runStage(maskStage, {
    config: { strategy: 'oneshot', targetDensity: 0.02 },
    inputs: { params: params.dir },
    store,
    log: quiet,
  });
  const a = await openArtifact(r.outputs.mask!.dir);
  assert.equal(a.manifest.summary.stop, true);
  assert.equal((a.manifest.summary.layers as any).L1.kept, Math.round(144 * 0.02));
  const rr = await runStage(maskStage, {
    config: { strategy: 'random', level: 2, seed: 3 },
    inputs: { params: params.dir },
    store,
    log: quiet,
  });
  const ra = await openArtifact(rr.outputs.mask!.dir);
  assert.equal((ra.manifest.summary.layers as any).L1.kept, Math.round(144 * 0.49));
  assert.equal(ra.manifest.seed, 3);
  // bernoulli: the schedule's density per weight, every bias kept (summary counts weights and biases).
  const rb = await runStage(maskStage, {
    config: { strategy: 'bernoulli', level: 2, seed: 3 },
    inputs: { params: params.dir },
    store,
    log: quiet,
  });
  const b = await openArtifact(rb.outputs.mask!.dir);
  const L1 = (b.manifest.summary.layers as any).L1;
  assert.equal(b.manifest.summary.strategy, 'bernoulli');
  assert.ok(Math.abs(L1.weight_density - 0.49) < 0.15, `weight density ${L1.weight_density}`);
  assert.equal(L1.kept - Math.round(L1.weight_density * 128), 16, 'all 16 biases kept');
});

test('mask stage: bad inputs give named errors', async () => {
  const store = tempStore();
  const p1 = await writeFakeParams(store, { arch: 'f10:x', inputDim: 6, numClasses: 3 });
  const p2 = await writeFakeParams(store, { arch: 'f12:x', inputDim: 6, numClasses: 3 });
  const m2 = await runStage(maskStage, { config: {}, inputs: { params: p2.dir }, store, log: quiet });
  await assert.rejects(
    runStage(maskStage, {
      config: { level: 2 },
      inputs: { params: p1.dir, previous: m2.outputs.mask!.dir },
      store,
      log: quiet,
    }),
    (e: unknown) => e instanceof ArtifactError && /mask is for arch 'f12:x'/.test(e.message),
  );
  await assert.rejects(
    runStage(maskStage, { config: { strategy: 'oneshot' }, inputs: { params: p1.dir }, store, log: quiet }),
    ConfigError,
  );
  await assert.rejects(
    runStage(maskStage, { config: { layers: [5] }, inputs: { params: p1.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ConfigError && /layers/.test(e.message),
  );
  await assert.rejects(
    runStage(maskStage, { config: { fraction: 1.5 }, inputs: { params: p1.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ConfigError && /fraction/.test(e.message),
  );
  await assert.rejects(
    runStage(maskStage, { config: {}, inputs: { params: m2.outputs.mask!.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ArtifactError && e.code === 'wrong-kind',
  );
});

test('mask stage on a model that is not an FCN: a conv kernel declared prunable is pruned by name', async () => {
  const store = tempStore();
  const params = await writeFakeConvParams(store);
  const r = await runStage(maskStage, { config: { level: 1 }, inputs: { params: params.dir }, store, log: quiet });
  const a = await openArtifact(r.outputs.mask!.dir, { kind: 'mask' });
  const { tensors, metadata } = readTensorFile(a.file('mask.arrow'), 'uint8');
  assert.deepEqual(
    tensors.map((t) => [t.name, t.shape]),
    [
      ['conv1.kernel', [3, 3, 1, 8]],
      ['conv1.bias', [8]],
    ],
    'only the declared prunable layer, weight and bias ranked together',
  );
  const kept = tensors.reduce((s, t) => s + (t.data as Uint8Array).reduce((x: number, v: number) => x + v, 0), 0);
  assert.equal(kept, Math.round((72 + 8) * 0.7));
  // The kept entries are the largest |values| of kernel and bias together.
  const p = readTensorFile((await openArtifact(params.dir)).file('params.arrow'), 'float32').tensors;
  const all = [...p[0]!.data, ...p[1]!.data].map(Math.abs);
  const flags = [...tensors[0]!.data, ...tensors[1]!.data];
  const minKept = Math.min(...all.filter((_, i) => flags[i]));
  const maxPruned = Math.max(...all.filter((_, i) => !flags[i]));
  assert.ok(minKept >= maxPruned);
  assert.ok(metadata.graph && !metadata.arch);
  assert.deepEqual(Object.keys(a.manifest.summary.layers as object), ['conv1']);
  // Level 2 from level 1's mask: a subset, by name.
  const r2 = await runStage(maskStage, {
    config: { level: 2 },
    inputs: { params: params.dir, previous: r.outputs.mask!.dir },
    store,
    log: quiet,
  });
  const t2 = readTensorFile((await openArtifact(r2.outputs.mask!.dir)).file('mask.arrow'), 'uint8').tensors;
  assert.ok(t2[0]!.data.every((v, i) => !v || tensors[0]!.data[i]));
  await assert.rejects(
    runStage(maskStage, { config: { layers: [3] }, inputs: { params: params.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ConfigError && /layer 3 does not exist/.test(e.message),
  );
});
