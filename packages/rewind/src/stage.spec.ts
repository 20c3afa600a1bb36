import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArtifactError, openArtifact, readTensorFile, runStage } from '@imp/artifacts';
import { rewindStage } from './stage.ts';
import { glorotNormal } from '@imp/artifacts';
import { quiet, tempStore, writeFakeConvParams, writeFakeMask, writeFakeParams } from '@imp/artifacts/testing';
const dims = [12, 8, 6, 4];
const fakeParams = (store: string, a: string, d: number[], step: number, seed = 1) =>
  writeFakeParams(store, { arch: a, inputDim: d[0]!, numClasses: d.at(-1)!, step, seed, bn: true });
const fakeMask = (
  store: string,
  a: string,
  d: number[],
  layers: number[],
  keep: (i: number) => boolean,
  shapeFix?: (s: number[]) => number[],
) => writeFakeMask(store, { arch: a, inputDim: d[0]!, numClasses: d.at(-1)!, layers, keep, shapeFix });
const arch = 'f8:f6:x';
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

async function read(dir: string) {
  const a = await openArtifact(dir, { kind: 'parameters' });
  const { tensors, metadata } = readTensorFile(a.file('params.arrow'), 'float32');
  return { a, metadata, t: new Map(tensors.map((x) => [x.name, x.data as Float32Array])) };
}

test('late rewinding restores bit-identical parameters; masked entries zero; BN running stats dropped', async () => {
  const store = tempStore();
  const src = await fakeParams(store, arch, dims, 1000);
  const mask = await fakeMask(store, arch, dims, [1, 2], (i) => i % 3 !== 0);
  const r = await runStage(rewindStage, { config: {}, inputs: { source: src.dir, mask: mask.dir }, store, log: quiet });
  const out = await read(r.outputs.params!.dir);
  const ref = await read(src.dir);
  assert.equal(out.metadata.step, '1000');
  assert.equal(out.metadata.rewind_mode, 'late');
  assert.deepEqual(
    [...out.t.keys()],
    ['W1', 'b1', 'bn1.gamma', 'bn1.beta', 'W2', 'b2', 'bn2.gamma', 'bn2.beta', 'W3', 'b3', 'bn3.gamma', 'bn3.beta'],
  );
  for (const [name, v] of out.t) {
    const want = ref.t.get(name)!;
    const masked = /^[Wb][12]$/.test(name);
    for (let i = 0; i < v.length; i++) {
      if (masked && i % 3 === 0) assert.equal(bits(v)[i], 0, `${name}[${i}] masked → +0`);
      else assert.equal(bits(v)[i], bits(want)[i], `${name}[${i}] bit-identical`);
    }
  }
  // No mask: a rewind is a bit-identical copy (minus the running statistics).
  const r2 = await runStage(rewindStage, { config: {}, inputs: { source: src.dir }, store, log: quiet });
  const out2 = await read(r2.outputs.params!.dir);
  for (const [name, v] of out2.t) assert.deepEqual(bits(v), bits(ref.t.get(name)!), name);
  assert.ok(![...out2.t.keys()].some((k) => k.endsWith('.mean') || k.endsWith('.var')));
});

test('init, reinit and finetune modes', async () => {
  const store = tempStore();
  const s0 = await fakeParams(store, arch, dims, 0, 2);
  const trained = await fakeParams(store, arch, dims, 500, 3);
  const init = await read(
    (await runStage(rewindStage, { config: { mode: 'init' }, inputs: { source: s0.dir }, store, log: quiet })).outputs
      .params!.dir,
  );
  assert.deepEqual(bits(init.t.get('W2')!), bits((await read(s0.dir)).t.get('W2')!));
  const re = await read(
    (
      await runStage(rewindStage, {
        config: { mode: 'reinit', seed: 5 },
        inputs: { source: s0.dir },
        store,
        log: quiet,
      })
    ).outputs.params!.dir,
  );
  assert.deepEqual(re.t.get('W1'), glorotNormal(5, 1, 12, 8));
  assert.ok(re.t.get('bn1.gamma')!.every((v) => v === 1) && re.t.get('b1')!.every((v) => v === 0));
  assert.equal(re.metadata.step, '0');
  const ft = await read(
    (
      await runStage(rewindStage, {
        config: { mode: 'finetune', lrRewind: false },
        inputs: { trained: trained.dir },
        store,
        log: quiet,
      })
    ).outputs.params!.dir,
  );
  assert.deepEqual(bits(ft.t.get('W3')!), bits((await read(trained.dir)).t.get('W3')!));
  assert.equal(ft.metadata.lr_rewind, 'false');
  assert.equal(ft.metadata.step, '500');
});

test('bad inputs: wrong mask shapes, other architecture, wrong step, missing input', async () => {
  const store = tempStore();
  const src = await fakeParams(store, arch, dims, 1000);
  const bad = await fakeMask(
    store,
    arch,
    dims,
    [1],
    () => true,
    ([a, b]) => [a! + 1, b!],
  );
  await assert.rejects(
    runStage(rewindStage, { config: {}, inputs: { source: src.dir, mask: bad.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ArtifactError && /mask tensor 'W1' has shape \[13,8\]/.test(e.message),
  );
  const other = await fakeMask(store, 'f9:f6:x', [12, 9, 6, 4], [1], () => true);
  await assert.rejects(
    runStage(rewindStage, { config: {}, inputs: { source: src.dir, mask: other.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ArtifactError && /arch 'f9:f6:x'/.test(e.message),
  );
  const otherParams = await fakeParams(store, 'f9:f6:x', [12, 9, 6, 4], 7);
  await assert.rejects(
    runStage(rewindStage, {
      config: { mode: 'finetune' },
      inputs: { source: src.dir, trained: otherParams.dir },
      store,
      log: quiet,
    }),
    (e: unknown) => e instanceof ArtifactError && /differs from source/.test(e.message),
  );
  await assert.rejects(
    runStage(rewindStage, { config: { mode: 'init' }, inputs: { source: src.dir }, store, log: quiet }),
    /expects step-0/,
  );
  await assert.rejects(runStage(rewindStage, { config: {}, inputs: {}, store, log: quiet }), /needs input 'source'/);
});

test('rewind on a model that is not an FCN: tensors by name, masked entries zeroed, running stats dropped', async () => {
  const store = tempStore();
  const src = await writeFakeConvParams(store, { step: 40 });
  const kernelMask = new Uint8Array(72).map((_, i) => (i % 2 ? 1 : 0));
  const mask = await writeFakeMask(store, {
    arch: 'f8:x',
    tensors: [
      { name: 'conv1.kernel', shape: [3, 3, 1, 8], data: kernelMask },
      { name: 'conv1.bias', shape: [8], data: new Uint8Array(8).fill(1) },
    ],
  });
  // An FCN-style mask (arch metadata) does not fit the conv model.
  await assert.rejects(
    runStage(rewindStage, { config: {}, inputs: { source: src.dir, mask: mask.dir }, store, log: quiet }),
    (e: unknown) => e instanceof ArtifactError && /mask is for arch/.test(e.message),
  );
  const convMask = await writeFakeMask(store, {
    tag: 'no-arch',
    tensors: [
      { name: 'conv1.kernel', shape: [3, 3, 1, 8], data: kernelMask },
      { name: 'conv1.bias', shape: [8], data: new Uint8Array(8).fill(1) },
    ],
  });
  const out = await read(
    (await runStage(rewindStage, { config: {}, inputs: { source: src.dir, mask: convMask.dir }, store, log: quiet }))
      .outputs.params!.dir,
  );
  const ref = await read(src.dir);
  assert.deepEqual([...out.t.keys()], ['conv1.kernel', 'conv1.bias', 'bn.gamma', 'bn.beta', 'head.W', 'head.b']);
  const k = out.t.get('conv1.kernel')!;
  for (let i = 0; i < 72; i++) assert.equal(bits(k)[i], i % 2 ? bits(ref.t.get('conv1.kernel')!)[i] : 0);
  assert.deepEqual(bits(out.t.get('head.W')!), bits(ref.t.get('head.W')!));
  assert.equal(out.metadata.graph, ref.metadata.graph);
  assert.equal(out.metadata.step, '40');
  // reinit: Glorot-normal kernel (fan_out = last axis), zero biases, unit gamma.
  const re = await read(
    (
      await runStage(rewindStage, {
        config: { mode: 'reinit', seed: 4 },
        inputs: { source: src.dir },
        store,
        log: quiet,
      })
    ).outputs.params!.dir,
  );
  assert.deepEqual(re.t.get('conv1.kernel'), glorotNormal(4, 1, 9, 8));
  assert.ok(re.t.get('bn.gamma')!.every((v) => v === 1) && re.t.get('head.b')!.every((v) => v === 0));
  // A mask naming a tensor the model does not have.
  const alien = await writeFakeMask(store, {
    tag: 'alien',
    tensors: [{ name: 'conv2.kernel', shape: [2], data: new Uint8Array(2) }],
  });
  await assert.rejects(
    runStage(rewindStage, { config: {}, inputs: { source: src.dir, mask: alien.dir }, store, log: quiet }),
    /unexpected mask tensor 'conv2.kernel'/,
  );
});
