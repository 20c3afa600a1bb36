// Test helpers: per-class moments of a flat n×D sample (float64).

/** Rows of class c. */
export function rowsOf(x: ArrayLike<number>, y: Int32Array, c: number, D: number): Float64Array {
  const idx: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] === c) idx.push(i);
  const out = new Float64Array(idx.length * D);
  idx.forEach((i, r) => {
    for (let d = 0; d < D; d++) out[r * D + d] = x[i * D + d]!;
  });
  return out;
}

export function meanOf(X: Float64Array, D: number): Float64Array {
  const n = X.length / D;
  const m = new Float64Array(D);
  for (let r = 0; r < n; r++) for (let d = 0; d < D; d++) m[d] += X[r * D + d]!;
  return m.map((v) => v / n);
}

/** Unbiased covariance (D×D). */
export function covOf(X: Float64Array, D: number): Float64Array {
  const n = X.length / D;
  const m = meanOf(X, D);
  const C = new Float64Array(D * D);
  const row = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < D; d++) row[d] = X[r * D + d]! - m[d]!;
    for (let i = 0; i < D; i++) {
      const v = row[i]!;
      for (let j = 0; j <= i; j++) C[i * D + j] += v * row[j]!;
    }
  }
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      C[i * D + j] /= n - 1;
      C[j * D + i] = C[i * D + j]!;
    }
  return C;
}

/** Mean over pixels of the marginal excess kurtosis m4/m2² − 3. */
export function meanExcessKurtosis(X: Float64Array, D: number): number {
  const n = X.length / D;
  const m = meanOf(X, D);
  let sum = 0;
  let used = 0;
  for (let d = 0; d < D; d++) {
    let m2 = 0;
    let m4 = 0;
    for (let r = 0; r < n; r++) {
      const v = X[r * D + d]! - m[d]!;
      m2 += v * v;
      m4 += v * v * v * v;
    }
    m2 /= n;
    m4 /= n;
    if (m2 > 0) {
      sum += m4 / (m2 * m2) - 3;
      used++;
    }
  }
  return sum / used;
}

/**
 * ‖Ĉ − C‖_F divided by its expected size for an unbiased Gaussian sample covariance
 * from n draws, sqrt((‖C‖²_F + (tr C)²)/(n − 1)): ≈ 1 when Ĉ is C up to sampling error.
 */
export function samplingErrorRatio(Chat: Float64Array, C: Float64Array, D: number, n: number): number {
  let err = 0;
  let fro = 0;
  let tr = 0;
  for (let i = 0; i < D * D; i++) {
    err += (Chat[i]! - C[i]!) ** 2;
    fro += C[i]! ** 2;
  }
  for (let i = 0; i < D; i++) tr += C[i * D + i]!;
  return Math.sqrt(err) / Math.sqrt((fro + tr * tr) / (n - 1));
}

/**
 * Mean excess kurtosis of horizontal neighbour differences x[r][q+1] − x[r][q] (a
 * derivative filter): natural images are strongly heavy-tailed there (edges).
 */
export function diffExcessKurtosis(X: Float64Array, side: number): number {
  const D = side * side;
  const n = X.length / D;
  const W = side - 1;
  const Dd = side * W;
  const d = new Float64Array(n * Dd);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < side; r++)
      for (let q = 0; q < W; q++) d[i * Dd + r * W + q] = X[i * D + r * side + q + 1]! - X[i * D + r * side + q]!;
  return meanExcessKurtosis(d, Dd);
}
