import { tf } from './tf.ts';
import { customGrad3 } from './custom-grad.ts';
import type { MaskHandle } from './mask-handle.ts';
import { tensorValues } from './native/kernel-util.ts';

/**
 * Sparse (CSR) implementation of the three products of a masked linear layer,
 * plugged in by the native backend. Working on raw Float32Arrays keeps the
 * sampled products (dW only at kept entries) out of tfjs' dense op graph.
 */
export interface SparseLinearImpl {
  /** W at the kept entries in CSR order (gathered once per step, reused by both passes). */
  gather(w: Float32Array, m: MaskHandle): Float32Array;
  /** y[n,out] = x[n,in] @ (W⊙M) + bias (bias already masked, may be undefined). */
  forward(x: Float32Array, wv: Float32Array, bias: Float32Array | undefined, n: number, m: MaskHandle): Float32Array;
  /**
   * dx[n,in] = dy[n,out] @ (W⊙M)ᵀ and dW[in,out] = (xᵀ dy) ⊙ M, the latter
   * computed only at the kept entries (exact zeros elsewhere).
   */
  backward(
    dy: Float32Array,
    x: Float32Array,
    wv: Float32Array,
    n: number,
    m: MaskHandle,
  ): { dx: Float32Array; dw: Float32Array };
}

/** Dense masked layer on raw arrays (native backend): same maths as the tfjs-op path. */
export interface DenseLinearImpl {
  /** W⊙M into a new array (kept for the backward pass). */
  maskWeights(w: Float32Array, m: MaskHandle): Float32Array;
  forward(x: Float32Array, wm: Float32Array, bias: Float32Array | undefined, n: number, m: MaskHandle): Float32Array;
  /** dx, dW (already masked) and db (unmasked column sums of dy). */
  backward(
    dy: Float32Array,
    x: Float32Array,
    wm: Float32Array,
    n: number,
    m: MaskHandle,
  ): { dx: Float32Array; dw: Float32Array; db: Float32Array };
}

let sparseImpl: { backend: string; impl: SparseLinearImpl } | undefined;
let denseImpl: { backend: string; impl: DenseLinearImpl } | undefined;

export function registerDenseLinear(backend: string, impl: DenseLinearImpl): void {
  denseImpl = { backend, impl };
}

/** Called by a backend that has sparse kernels (only used while that backend is active). */
export function registerSparseLinear(backend: string, impl: SparseLinearImpl): void {
  sparseImpl = { backend, impl };
}

function activeSparse(m: MaskHandle): SparseLinearImpl | undefined {
  if (m.csr === undefined || sparseImpl === undefined) return undefined;
  return tf.getBackend() === sparseImpl.backend ? sparseImpl.impl : undefined;
}

/**
 * y = x @ (w ⊙ M) + b ⊙ bMask, differentiable wrt x, w and b.
 * The gradient wrt w is exactly zero at masked entries, so plain SGD (with or
 * without weight decay) keeps masked weights at whatever value they had
 * (zero, if the caller zeroed them once; see applyMask).
 */
export function maskedLinear(
  x: tf.Tensor2D,
  w: tf.Variable | tf.Tensor2D,
  b: tf.Tensor1D,
  m: MaskHandle,
  bMask?: tf.Tensor1D,
): tf.Tensor2D {
  if (x.shape[1] !== m.inDim || w.shape[0] !== m.inDim || w.shape[1] !== m.outDim) {
    throw new Error(
      `maskedLinear: shapes x${JSON.stringify(x.shape)} w${JSON.stringify(w.shape)} mask [${m.inDim},${m.outDim}] disagree`,
    );
  }
  const sparse = activeSparse(m);
  const dense = denseImpl !== undefined && tf.getBackend() === denseImpl.backend ? denseImpl.impl : undefined;
  const f = sparse
    ? sparseLinear(sparse, m, bMask)
    : dense
      ? nativeDenseLinear(dense, m, bMask)
      : denseLinear(m, bMask);
  return f(x, w as tf.Tensor2D, b) as tf.Tensor2D;
}

function denseLinear(m: MaskHandle, bMask?: tf.Tensor1D) {
  return customGrad3((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const wm = tf.mul(w, m.dense) as tf.Tensor2D;
    const bm = bMask ? tf.mul(b, bMask) : b;
    const value = tf.add(tf.matMul(x as tf.Tensor2D, wm), bm);
    save([x, wm]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, wms] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        const dx = tf.matMul(dy2, wms, false, true);
        const dw = tf.mul(tf.matMul(xs, dy2, true, false), m.dense);
        const dbRaw = tf.sum(dy2, 0);
        const db = bMask ? tf.mul(dbRaw, bMask) : dbRaw;
        return [dx, dw, db];
      },
    };
  });
}

function nativeDenseLinear(impl: DenseLinearImpl, m: MaskHandle, bMask?: tf.Tensor1D) {
  return customGrad3((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const n = x.shape[0];
    const bm = bMask ? tf.mul(b, bMask) : b;
    const wm = tf.tensor2d(impl.maskWeights(tensorValues(w), m), [m.inDim, m.outDim], 'float32');
    const yv = impl.forward(tensorValues(x), tensorValues(wm), tensorValues(bm), n, m);
    if (bMask) bm.dispose();
    save([x, wm]);
    return {
      value: tf.tensor2d(yv, [n, m.outDim], 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, wms] = saved;
        const g = impl.backward(tensorValues(dy), tensorValues(xs), tensorValues(wms), n, m);
        const dbRaw = tf.tensor1d(g.db, 'float32');
        const db = bMask ? tf.mul(dbRaw, bMask) : dbRaw;
        return [tf.tensor2d(g.dx, [n, m.inDim], 'float32'), tf.tensor2d(g.dw, [m.inDim, m.outDim], 'float32'), db];
      },
    };
  });
}

function sparseLinear(impl: SparseLinearImpl, m: MaskHandle, bMask?: tf.Tensor1D) {
  return customGrad3((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const n = x.shape[0];
    const bm = bMask ? tf.mul(b, bMask) : b;
    // Direct views of the backend's arrays (dataSync() would copy pooled ones).
    // W cannot change between this forward and its backward (optimizers
    // apply gradients afterwards), so the gathered values are reused.
    const wv = impl.gather(tensorValues(w), m);
    const yv = impl.forward(tensorValues(x), wv, tensorValues(bm), n, m);
    if (bMask) bm.dispose();
    save([x]);
    return {
      value: tf.tensor2d(yv, [n, m.outDim], 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs] = saved;
        const g = impl.backward(tensorValues(dy), tensorValues(xs), wv, n, m);
        const dx = tf.tensor2d(g.dx, [n, m.inDim], 'float32');
        const dw = tf.tensor2d(g.dw, [m.inDim, m.outDim], 'float32');
        const dbRaw = tf.sum(dy, 0);
        const db = bMask ? tf.mul(dbRaw, bMask) : dbRaw;
        return [dx, dw, db];
      },
    };
  });
}

/** Zeroes the masked entries of a weight variable in place (call once after init or rewind). */
export function applyMask(w: tf.Variable, m: MaskHandle): void {
  tf.tidy(() => w.assign(tf.mul(w, m.dense) as tf.Tensor));
}
