// batchNormTrain: native fused kernels against the tfjs-op composition (cpu)
// and against tf.batchNorm + tf.moments for the forward value.
import { test } from 'node:test';
import { tf } from './tf.ts';
import { Rng, randomNormals } from '@imp/artifacts';
import { batchNormTrain } from './batch-norm.ts';
import { assertClose, nativeAvailable, useBackend } from './test-util.ts';

function run(x: Float32Array, g: Float32Array, b: Float32Array, n: number, c: number) {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x, [n, c]),
      gt = tf.tensor1d(g),
      bt = tf.tensor1d(b);
    const r = tf.tensor2d(randomNormals(new Rng(3), n * c), [n, c]);
    const bn = batchNormTrain(xt, gt, bt);
    const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(xx as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D).y, r));
    const gradsOut = tf
      .grads(f)([xt, gt, bt])
      .map((t) => t.dataSync().slice());
    const { mean, variance } = tf.moments(xt, 0);
    const ref = tf.batchNorm(xt, mean, variance, bt, gt, 1e-5);
    return {
      y: bn.y.dataSync().slice(),
      mean: bn.mean.dataSync().slice(),
      variance: bn.variance.dataSync().slice(),
      ref: ref.dataSync().slice(),
      refMean: mean.dataSync().slice(),
      refVar: variance.dataSync().slice(),
      grads: gradsOut,
    };
  });
}

test('batchNormTrain forward matches tf.moments + tf.batchNorm, native gradients match the cpu composition', async () => {
  const backends = nativeAvailable() ? (['cpu', 'native'] as const) : (['cpu'] as const);
  for (const [n, c] of [
    [2, 3],
    [37, 300],
    [200, 1030],
  ]) {
    const rng = new Rng(n);
    const x = randomNormals(rng, n * c, 3);
    for (let i = 0; i < x.length; i++) x[i] += 5; // offset: exercises the two-pass variance
    const g = randomNormals(rng, c),
      b = randomNormals(rng, c);
    const outs = [];
    for (const backend of backends) {
      await useBackend(backend);
      const o = run(x, g, b, n, c);
      assertClose(o.y, o.ref, 1e-4, `${backend} ${n}x${c} y vs tf.batchNorm`);
      assertClose(o.mean, o.refMean, 1e-5, `${backend} mean`);
      assertClose(o.variance, o.refVar, 1e-4, `${backend} variance`);
      outs.push(o);
    }
    if (outs.length === 2) {
      for (let k = 0; k < 3; k++) assertClose(outs[1].grads[k], outs[0].grads[k], 1e-4, `${n}x${c} grad ${k}`);
    }
  }
});
