import { tf } from './tf.ts';
import { buildCsc, buildCsr, type Csc, type Csr } from './sparse-index.ts';

export type { Csc, Csr };

export interface MaskHandle {
  readonly inDim: number;
  readonly outDim: number;
  /** Fraction of kept entries (nnz / (inDim*outDim)). */
  readonly density: number;
  readonly nnz: number;
  /** Dense 0/1 float32 mask of shape [inDim, outDim]. */
  readonly dense: tf.Tensor2D;
  /** The same mask as a plain array (native kernels read it without a tensor round trip). */
  readonly values: Float32Array;
  /** Present when density < the sparse threshold: kernels may use the sparse path. */
  readonly csr?: Csr;
  /** Column-grouped form of the same entries (present with csr; used by the forward kernel). */
  readonly csc?: Csc;
  dispose(): void;
}

/**
 * Density below which a mask gets a CSR structure (and the native backend
 * runs the layer with sparse kernels). Measured on the 2-core box with random
 * masks (README): a whole 3072-1024-1024-1024 step at batch 1000 breaks even
 * near u = 0.45, LeNet-300-100 at batch 100 near u = 0.3; 0.3 keeps a margin.
 */
export let SPARSE_DENSITY_THRESHOLD = 0.3;

/** Test/bench hook: change the threshold (returns the previous value). */
export function setSparseThreshold(t: number): number {
  const prev = SPARSE_DENSITY_THRESHOLD;
  SPARSE_DENSITY_THRESHOLD = t;
  return prev;
}

/**
 * Wraps a 0/1 mask laid out row-major [inDim, outDim] (the layout of W).
 * Any non-zero entry counts as kept.
 */
export function prepareMask(
  mask: Uint8Array | Float32Array,
  inDim: number,
  outDim: number,
  opts: { sparseThreshold?: number } = {},
): MaskHandle {
  if (mask.length !== inDim * outDim) {
    throw new Error(`prepareMask: mask has ${mask.length} entries, expected ${inDim}*${outDim}`);
  }
  const values = new Float32Array(mask.length);
  let nnz = 0;
  for (let k = 0; k < mask.length; k++) {
    if (mask[k] !== 0) {
      values[k] = 1;
      nnz++;
    }
  }
  const density = nnz / Math.max(1, mask.length);
  const threshold = opts.sparseThreshold ?? SPARSE_DENSITY_THRESHOLD;
  const csr = density < threshold ? buildCsr(values, inDim, outDim) : undefined;
  const csc = csr ? buildCsc(values, inDim, outDim) : undefined;
  // keep(): the handle outlives any tidy() the caller happens to be in.
  const dense = tf.keep(tf.tensor2d(values, [inDim, outDim], 'float32'));
  let disposed = false;
  return {
    inDim,
    outDim,
    density,
    nnz,
    dense,
    values,
    csr,
    csc,
    dispose() {
      if (!disposed) {
        disposed = true;
        dense.dispose();
      }
    },
  };
}
