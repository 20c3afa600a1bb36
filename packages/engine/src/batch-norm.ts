import { tf } from './tf.ts';
import { nativeAddon } from './native/register.ts';
import { NATIVE_BACKEND_NAME } from './native/names.ts';

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
    const mean = new Float32Array(c), variance = new Float32Array(c), invstd = new Float32Array(c);
    const f = tf.customGrad((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const xv = xt.dataSync() as Float32Array;
      const gv = g.dataSync() as Float32Array;
      const y = new Float32Array(n * c);
      addon.bnFwd(xv, gv, b.dataSync() as Float32Array, eps, y, mean, variance, invstd, n, c, 0);
      return {
        value: tf.tensor2d(y, [n, c]),
        // Closure keeps the typed arrays alive: cpu-family backends never
        // recycle a tensor's array, so this is safe even if x is disposed.
        gradFunc: (dy: tf.Tensor) => {
          const dx = new Float32Array(n * c), dg = new Float32Array(c), db = new Float32Array(c);
          addon.bnBwd(dy.dataSync() as Float32Array, xv, gv, mean, invstd, dx, dg, db, n, c, 0);
          return [tf.tensor2d(dx, [n, c]), tf.tensor1d(dg), tf.tensor1d(db)];
        },
      };
    });
    const y = f(x, gamma, beta) as tf.Tensor2D;
    return { y, mean: tf.tensor1d(mean), variance: tf.tensor1d(variance) };
  }
  // customGrad runs the forward inside a tidy(): statistics leave it as data.
  let meanData!: Float32Array, varData!: Float32Array;
  const f = tf.customGrad((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
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
