// A whole training step of the reference FCN (BN → masked linear → ReLU,
// softmax CE, SGD) on native and wasm agrees with the tfjs cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from './tf.ts';
import { Rng, randomMask, randomNormals } from '@imp/artifacts';
import { createFcn, sgdStep, disposeFcn } from './reference-fcn.ts';
import { setSparseThreshold } from './mask-handle.ts';
import { relErr, nativeAvailable, useBackend } from './test-util.ts';

async function trainedParams(
  backend: 'cpu' | 'native' | 'wasm',
  sizes: number[],
  density: number,
  steps: number,
  batch = 64,
) {
  await useBackend(backend);
  const rng = new Rng(11);
  const masks = sizes.slice(0, -1).map((s, l) => randomMask(rng, s * sizes[l + 1], density));
  const net = createFcn(sizes, { masks, seed: 3, lr: 0.05 });
  const x = tf.tensor2d(randomNormals(rng, batch * sizes[0]), [batch, sizes[0]]);
  const labels = tf.tensor1d(
    new Int32Array(batch).map(() => rng.int(sizes.at(-1)!)),
    'int32',
  );
  const y = tf.oneHot(labels, sizes.at(-1)!) as tf.Tensor2D;
  const losses: number[] = [];
  const before = tf.memory().numTensors;
  for (let s = 0; s < steps; s++) losses.push(sgdStep(net, x, y));
  assert.equal(tf.memory().numTensors, before, `${backend}: sgdStep leaked tensors`);
  const params = net.layers.flatMap((L) => [L.gamma, L.beta, L.w, L.b].map((v) => v.dataSync().slice()));
  tf.dispose([x, labels, y]);
  disposeFcn(net);
  return { losses, params };
}

test('reference FCN step: native and wasm agree with cpu within 1e-4 relative (dense and sparse masks)', async () => {
  const others = ['wasm', ...(nativeAvailable() ? ['native'] : [])] as const as readonly ('wasm' | 'native')[];
  const sizes = [300, 200, 100, 10];
  for (const [density, threshold] of [
    [1, 0.05],
    [0.03, 0.05],
  ] as const) {
    const prev = setSparseThreshold(threshold);
    try {
      const want = await trainedParams('cpu', sizes, density, 3);
      for (const backend of others) {
        const got = await trainedParams(backend, sizes, density, 3);
        assert.ok(relErr(got.losses, want.losses) <= 1e-4, `${backend} losses ${got.losses} vs ${want.losses}`);
        got.params.forEach((p, k) => {
          const e = relErr(p, want.params[k]);
          assert.ok(e <= 1e-4, `${backend} density ${density} param ${k}: rel err ${e}`);
        });
      }
    } finally {
      setSparseThreshold(prev);
    }
  }
});

// Sizes chosen so every multi-threaded path runs: the GEMM split (>= 64M
// multiply-adds), 2-thread BN (>= 256k elements) and 4 sparse panels.
test(
  'native training is bitwise reproducible run to run (dense and sparse, 2 threads)',
  { skip: nativeAvailable() ? false : 'addon not built' },
  async () => {
    for (const density of [1, 0.05]) {
      const a = await trainedParams('native', [1100, 512, 10], density, 2, 256);
      const b = await trainedParams('native', [1100, 512, 10], density, 2, 256);
      a.params.forEach((p, k) =>
        assert.deepEqual(p, b.params[k], `density ${density} param ${k} differs between runs`),
      );
    }
  },
);
