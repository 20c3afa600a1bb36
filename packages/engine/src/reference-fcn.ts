// Reference masked FCN of the paper (BN on the input of every linear layer:
// BN → masked Linear → ReLU, output BN → Linear), used by the bench and the
// cross-backend tests, and a worked example of the engine API for trainers.
import { tf } from './tf.ts';
import { prepareMask, type MaskHandle } from './mask-handle.ts';
import { maskedLinear, applyMask } from './masked-linear.ts';
import { batchNormTrain } from './batch-norm.ts';
import { Rng, randomNormals } from '@imp/artifacts';

export interface FcnLayer {
  gamma: tf.Variable;
  beta: tf.Variable;
  w: tf.Variable;
  b: tf.Variable;
  mask: MaskHandle;
}

export interface Fcn {
  sizes: number[];
  layers: FcnLayer[];
  optimizer: tf.SGDOptimizer;
}

/**
 * sizes = [in, h1, ..., out]. masks[l] (optional) is the 0/1 mask of layer l
 * laid out [in_l, out_l]. Weights: He-normal from the seeded RNG, then masked.
 */
export function createFcn(
  sizes: number[],
  opts: { seed?: number; masks?: (Uint8Array | Float32Array)[]; lr?: number } = {},
): Fcn {
  const rng = new Rng(opts.seed ?? 1);
  const layers: FcnLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [i, o] = [sizes[l], sizes[l + 1]];
    const mask = prepareMask(opts.masks?.[l] ?? new Uint8Array(i * o).fill(1), i, o);
    const layer: FcnLayer = {
      gamma: tf.variable(tf.ones([i]), true, `l${l}.gamma`),
      beta: tf.variable(tf.zeros([i]), true, `l${l}.beta`),
      w: tf.variable(tf.tensor2d(randomNormals(rng, i * o, Math.sqrt(2 / i)), [i, o]), true, `l${l}.w`),
      b: tf.variable(tf.zeros([o]), true, `l${l}.b`),
      mask,
    };
    applyMask(layer.w, mask);
    layers.push(layer);
  }
  return { sizes, layers, optimizer: tf.train.sgd(opts.lr ?? 0.01) };
}

export function fcnForward(net: Fcn, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  net.layers.forEach((L, l) => {
    const bn = batchNormTrain(h, L.gamma as tf.Tensor1D, L.beta as tf.Tensor1D);
    const z = maskedLinear(bn.y, L.w as tf.Variable<tf.Rank.R2>, L.b as tf.Tensor1D, L.mask);
    h = l + 1 < net.layers.length ? tf.relu(z) : z;
  });
  return h;
}

export function fcnLoss(net: Fcn, x: tf.Tensor2D, yOneHot: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(yOneHot, fcnForward(net, x)) as tf.Scalar;
}

/** One plain-SGD step; returns the loss before the update. */
export function sgdStep(net: Fcn, x: tf.Tensor2D, yOneHot: tf.Tensor2D): number {
  const vars = net.layers.flatMap((L) => [L.gamma, L.beta, L.w, L.b]);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => fcnLoss(net, x, yOneHot), vars);
    net.optimizer.applyGradients(grads);
    return value.dataSync()[0];
  });
}

export function disposeFcn(net: Fcn): void {
  for (const L of net.layers) {
    L.gamma.dispose();
    L.beta.dispose();
    L.w.dispose();
    L.b.dispose();
    L.mask.dispose();
  }
  net.optimizer.dispose();
}
