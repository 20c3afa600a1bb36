// maskedLinear: value and gradients against an explicit dense reference on
// every backend, the CSR path against the dense path (masks with empty and
// full rows), and masked weights staying exactly zero under SGD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from './tf.ts';
import { Rng, randomMask, randomNormals } from '@imp/artifacts';
import { prepareMask, type MaskHandle } from './mask-handle.ts';
import { maskedLinear, applyMask } from './masked-linear.ts';
import { assertClose, nativeAvailable, useBackend } from './test-util.ts';

const BACKENDS = ['cpu', 'wasm', ...(nativeAvailable() ? ['native'] : [])] as const as readonly (
  'cpu' | 'wasm' | 'native'
)[];

/** A mask with some empty rows, some full rows, and random rows in between. */
function awkwardMask(rng: Rng, inDim: number, outDim: number, density: number): Uint8Array {
  const m = randomMask(rng, inDim * outDim, density);
  for (let i = 0; i < inDim; i++) {
    if (i % 7 === 0) m.fill(0, i * outDim, (i + 1) * outDim);
    if (i % 11 === 3) m.fill(1, i * outDim, (i + 1) * outDim);
  }
  return m;
}

function grads(x: Float32Array, w: Float32Array, b: Float32Array, mask: MaskHandle, n: number, bMask?: Float32Array) {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x, [n, mask.inDim]);
    const wt = tf.tensor2d(w, [mask.inDim, mask.outDim]);
    const bt = tf.tensor1d(b);
    const bm = bMask ? tf.tensor1d(bMask) : undefined;
    // A non-uniform upstream gradient: loss = sum(y * r).
    const r = tf.tensor2d(randomNormals(new Rng(99), n * mask.outDim), [n, mask.outDim]);
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(maskedLinear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, mask, bm), r));
    const y = maskedLinear(xt, wt, bt, mask, bm).dataSync().slice();
    const [dx, dw, db] = tf
      .grads(f)([xt, wt, bt])
      .map((g) => g.dataSync().slice());
    return { y, dx, dw, db };
  });
}

/** Plain-JS reference: y = x (w*M) + b*bm. */
function reference(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  m: Float32Array,
  n: number,
  I: number,
  O: number,
  bMask?: Float32Array,
) {
  const r = randomNormals(new Rng(99), n * O);
  const y = new Float32Array(n * O),
    dx = new Float32Array(n * I),
    dw = new Float32Array(I * O),
    db = new Float32Array(O);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < O; j++) {
      let acc = b[j] * (bMask ? bMask[j] : 1);
      for (let i = 0; i < I; i++) acc += x[s * I + i] * w[i * O + j] * m[i * O + j];
      y[s * O + j] = acc;
    }
  }
  for (let s = 0; s < n; s++)
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let j = 0; j < O; j++) acc += r[s * O + j] * w[i * O + j] * m[i * O + j];
      dx[s * I + i] = acc;
    }
  for (let i = 0; i < I; i++)
    for (let j = 0; j < O; j++) {
      let acc = 0;
      for (let s = 0; s < n; s++) acc += x[s * I + i] * r[s * O + j];
      dw[i * O + j] = acc * m[i * O + j];
    }
  for (let j = 0; j < O; j++) {
    let acc = 0;
    for (let s = 0; s < n; s++) acc += r[s * O + j];
    db[j] = acc * (bMask ? bMask[j] : 1);
  }
  return { y, dx, dw, db };
}

test('maskedLinear value and gradients match a dense reference on every backend (dense and CSR masks)', async () => {
  const cases = [
    { n: 5, I: 7, O: 3, density: 0.5 },
    { n: 33, I: 65, O: 17, density: 0.3 },
    { n: 70, I: 130, O: 66, density: 0.02 },
    { n: 64, I: 40, O: 24, density: 0 },
  ];
  for (const backend of BACKENDS) {
    await useBackend(backend);
    for (const [ci, c] of cases.entries()) {
      const rng = new Rng(ci + 1);
      const maskBytes = awkwardMask(rng, c.I, c.O, c.density);
      if (c.density === 0) maskBytes.fill(0);
      const x = randomNormals(rng, c.n * c.I),
        w = randomNormals(rng, c.I * c.O),
        b = randomNormals(rng, c.O);
      const bMask = ci === 1 ? new Float32Array(c.O).map((_, j) => j % 2) : undefined;
      // sparseThreshold 1 forces CSR (used on native), 0 forces dense.
      for (const sparseThreshold of [0, 1]) {
        const mask = prepareMask(maskBytes, c.I, c.O, { sparseThreshold });
        const got = grads(x, w, b, mask, c.n, bMask);
        const want = reference(x, w, b, mask.values, c.n, c.I, c.O, bMask);
        const what = `${backend} case ${ci} ${sparseThreshold ? 'csr' : 'dense'}`;
        assertClose(got.y, want.y, 1e-5, `${what} y`);
        assertClose(got.dx, want.dx, 1e-5, `${what} dx`);
        assertClose(got.dw, want.dw, 1e-5, `${what} dw`);
        assertClose(got.db, want.db, 1e-5, `${what} db`);
        for (let k = 0; k < mask.values.length; k++) {
          if (mask.values[k] === 0) assert.ok(got.dw[k] === 0, `${what}: dW nonzero at masked entry ${k}`); // -0 counts as 0
        }
        mask.dispose();
      }
    }
  }
});

test('masked weights stay exactly zero after many SGD steps on every backend', async () => {
  for (const backend of BACKENDS) {
    await useBackend(backend);
    for (const sparseThreshold of [0, 1]) {
      const rng = new Rng(5);
      const [n, I, O] = [16, 24, 12];
      const maskBytes = awkwardMask(rng, I, O, 0.3);
      const mask = prepareMask(maskBytes, I, O, { sparseThreshold });
      // Start from a dense random W: applyMask must zero it, SGD must keep it zero.
      const w = tf.variable(tf.tensor2d(randomNormals(rng, I * O), [I, O]));
      const b = tf.variable(tf.zeros([O]));
      applyMask(w, mask);
      const opt = tf.train.sgd(0.1);
      const x = tf.tensor2d(randomNormals(rng, n * I), [n, I]);
      const target = tf.tensor2d(randomNormals(rng, n * O), [n, O]);
      const before = tf.memory().numTensors;
      for (let s = 0; s < 60; s++) {
        tf.tidy(() => {
          const { grads: g } = tf.variableGrads(
            () =>
              tf.mean(
                tf.square(
                  tf.sub(tf.relu(maskedLinear(x, w as tf.Variable<tf.Rank.R2>, b as tf.Tensor1D, mask)), target),
                ),
              ) as tf.Scalar,
            [w, b],
          );
          opt.applyGradients(g);
        });
      }
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
      const wv = w.dataSync();
      let moved = 0;
      for (let k = 0; k < wv.length; k++) {
        if (maskBytes[k] === 0) assert.ok(wv[k] === 0, `${backend}: masked weight ${k} = ${wv[k]}`);
        else moved++;
      }
      assert.ok(moved > 0);
      tf.dispose([w, b, x, target]);
      opt.dispose();
      mask.dispose();
    }
  }
});

test('prepareMask: density, CSR layout and shape checks', () => {
  const m = prepareMask(new Uint8Array([0, 1, 0, 1, 1, 0]), 2, 3, { sparseThreshold: 1 });
  assert.equal(m.nnz, 3);
  assert.equal(m.density, 0.5);
  assert.deepEqual([...m.csr!.rowPtr], [0, 1, 3]);
  assert.deepEqual([...m.csr!.colIdx], [1, 0, 1]);
  assert.deepEqual([...m.csr!.flatIdx], [1, 3, 4]);
  assert.deepEqual([...m.csc!.colPtr], [0, 1, 3, 3]);
  assert.deepEqual([...m.csc!.rowIdx], [1, 0, 1]);
  assert.deepEqual([...m.csc!.flatIdx], [3, 1, 4]);
  assert.deepEqual([...m.csc!.toCsr], [1, 0, 2]);
  m.dispose();
  m.dispose(); // idempotent
  assert.throws(() => prepareMask(new Uint8Array(5), 2, 3));
});
