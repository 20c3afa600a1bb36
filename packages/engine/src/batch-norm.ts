import { tf } from './tf.ts';
import { customGrad3 } from './custom-grad.ts';
import { nativeAddon } from './native/register.ts';
import { NATIVE_BACKEND_NAME } from './native/names.ts';
import { tensorValues } from './native/kernel-util.ts';
import { allocF32 } from './native/pool.ts';

export interface BatchNormResult {
  /** Normalised, scaled and shifted x; differentiable wrt x, gamma and beta. */
  y: tf.Tensor2D;
  /** Per-feature batch mean [c] (not differentiable; for running statistics). */
  mean: tf.Tensor1D;
  /** Per-feature biased batch variance [c] (PyTorch's running_var uses n/(n-1) times this). */
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm over the batch axis of x [n, c]:
 * y = gamma * (x - mean) / sqrt(var + eps) + beta with batch statistics.
 * On the native backend forward and backward are one fused kernel each;
 * elsewhere it is composed from tfjs ops (same maths, same gradient).
 */
export function batchNormTrain(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): BatchNormResult {
  const [n, c] = x.shape;
  if (gamma.shape[0] !== c || beta.shape[0] !== c) throw new Error(`batchNormTrain: gamma/beta must have ${c} entries`);
  const addon = nativeAddon();
  if (addon !== undefined && tf.getBackend() === NATIVE_BACKEND_NAME) {
    const mean = new Float32Array(c),
      variance = new Float32Array(c),
      invstd = new Float32Array(c);
    const f = customGrad3((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      const y = allocF32(n * c);
      addon.bnFwd(tensorValues(xt), tensorValues(g), tensorValues(b), eps, y, mean, variance, invstd, n, c, 0);
      // x and gamma are read again in the backward pass: save() keeps them
      // alive (and their pooled arrays un-recycled) until then.
      save([xt, g]);
      return {
        value: tf.tensor2d(y, [n, c]),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, gs] = saved;
          const dx = allocF32(n * c),
            dg = new Float32Array(c),
            db = new Float32Array(c);
          addon.bnBwd(tensorValues(dy), tensorValues(xs), tensorValues(gs), mean, invstd, dx, dg, db, n, c, 0);
          return [tf.tensor2d(dx, [n, c]), tf.tensor1d(dg), tf.tensor1d(db)];
        },
      };
    });
    const y = f(x, gamma, beta) as tf.Tensor2D;
    return { y, mean: tf.tensor1d(mean), variance: tf.tensor1d(variance) };
  }
  // customGrad runs the forward inside a tidy(): statistics leave it as data.
  let meanData!: Float32Array, varData!: Float32Array;
  const f = customGrad3((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(xt, 0);
    const centred = tf.sub(xt, mean);
    const variance = tf.mean(tf.square(centred), 0);
    meanData = mean.dataSync() as Float32Array;
    varData = variance.dataSync() as Float32Array;
    const invstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(centred, invstd);
    save([xhat, invstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, is, gs] = saved;
        const dbeta = tf.sum(dy, 0);
        const dgamma = tf.sum(tf.mul(dy, xh), 0);
        // dx = g*is/n * (n*dy - dbeta - xhat*dgamma)
        const inner = tf.sub(tf.sub(tf.mul(dy, n), dbeta), tf.mul(xh, dgamma));
        const dx = tf.mul(inner, tf.div(tf.mul(gs, is), n));
        return [dx, dgamma, dbeta];
      },
    };
  });
  const y = f(x, gamma, beta) as tf.Tensor2D;
  return { y, mean: tf.tensor1d(meanData.slice()), variance: tf.tensor1d(varData.slice()) };
}
