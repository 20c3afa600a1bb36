// CSR/CSC index structures of a 0/1 mask over W [inDim, outDim]. No tfjs here: the fused
// step (fused-fcn.ts) builds them without loading tfjs (issue 12, start-up of train processes).

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

export function buildCsr(mask: ArrayLike<number>, inDim: number, outDim: number): Csr {
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

export function buildCsc(mask: ArrayLike<number>, inDim: number, outDim: number): Csc {
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
