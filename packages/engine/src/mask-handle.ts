import { tf } from './tf.ts';

/** Compressed sparse rows over the input dimension of W [inDim, outDim]. */
export interface Csr {
  /** rowPtr[i]..rowPtr[i+1] index the kept entries of W row i (length inDim+1). */
  rowPtr: Int32Array;
  /** Column (output unit) of every kept entry, ascending within a row. */
  colIdx: Int32Array;
  /** Flat index i*outDim+j of every kept entry (used to gather/scatter W and dW). */
  flatIdx: Int32Array;
}

/** Compressed sparse columns: the same kept entries grouped by output unit j. */
export interface Csc {
  /** colPtr[j]..colPtr[j+1] index the kept entries of W column j (length outDim+1). */
  colPtr: Int32Array;
  /** Row (input unit) of every kept entry, ascending within a column. */
  rowIdx: Int32Array;
  /** Flat index i*outDim+j of every kept entry, in CSC order. */
  flatIdx: Int32Array;
  /** Position in CSR order of every CSC entry (CSC values = CSR values[toCsr]). */
  toCsr: Int32Array;
}

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

export function buildCsr(mask: Float32Array, inDim: number, outDim: number): Csr {
  let nnz = 0;
  for (let k = 0; k < mask.length; k++) if (mask[k] !== 0) nnz++;
  const rowPtr = new Int32Array(inDim + 1);
  const colIdx = new Int32Array(nnz);
  const flatIdx = new Int32Array(nnz);
  let p = 0;
  for (let i = 0; i < inDim; i++) {
    rowPtr[i] = p;
    const base = i * outDim;
    for (let j = 0; j < outDim; j++) {
      if (mask[base + j] !== 0) {
        colIdx[p] = j;
        flatIdx[p] = base + j;
        p++;
      }
    }
  }
  rowPtr[inDim] = p;
  return { rowPtr, colIdx, flatIdx };
}

export function buildCsc(mask: Float32Array, inDim: number, outDim: number): Csc {
  let p = 0; // CSR position of the entry being visited (row-major = CSR order)
  const colPtr = new Int32Array(outDim + 1);
  for (let k = 0; k < mask.length; k++) if (mask[k] !== 0) colPtr[(k % outDim) + 1]++;
  for (let j = 0; j < outDim; j++) colPtr[j + 1] += colPtr[j];
  const nnz = colPtr[outDim];
  const rowIdx = new Int32Array(nnz),
    flatIdx = new Int32Array(nnz),
    toCsr = new Int32Array(nnz);
  const next = colPtr.slice(0, outDim);
  // Row-major scan: rows arrive in ascending order within each column.
  for (let i = 0; i < inDim; i++) {
    const base = i * outDim;
    for (let j = 0; j < outDim; j++) {
      if (mask[base + j] !== 0) {
        const q = next[j]++;
        rowIdx[q] = i;
        flatIdx[q] = base + j;
        toCsr[q] = p++;
      }
    }
  }
  return { colPtr, rowIdx, flatIdx, toCsr };
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
