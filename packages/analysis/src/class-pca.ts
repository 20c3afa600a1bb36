/**
 * Leading principal components of each class's pixel covariance (for the mask-shape
 * alignment measure). Randomised subspace iteration (Halko, Martinsson & Tropp 2011,
 * Alg. 4.4): a D×l Gaussian start, a few passes Z ← orth(Xcᵀ(Xc Z)) over the centred
 * class sample Xc, then the exact eigen-decomposition of Zᵀ Σ Z (l×l, Jacobi). Each pass
 * costs 2·n·D·l multiply-adds and the D×D covariance is never formed, which keeps a
 * 784-pixel, 10-class dataset at ~1 s in plain TypeScript. Seeded, so deterministic.
 */
import type { Rng } from '@imp/artifacts';

export interface ClassPCs {
  D: number;
  /** Components per class. */
  m: number;
  /** Per class: m unit vectors, component-major (m × D), in the order of the given pixels. */
  vectors: Float64Array[];
  /** Per class: the m leading eigenvalues of the (unbiased) covariance, descending. */
  eigenvalues: Float64Array[];
  /** Per class: trace of the covariance (total pixel variance). */
  totalVariance: number[];
  /** Per class: images used. */
  samples: number[];
}

/** Modified Gram–Schmidt on the l columns of Z (D×l, row-major: column t = Z[p·l + t]). */
function orthonormalize(Z: Float64Array, D: number, l: number): void {
  for (let t = 0; t < l; t++) {
    for (let s = 0; s < t; s++) {
      let dot = 0;
      for (let p = 0; p < D; p++) dot += Z[p * l + t]! * Z[p * l + s]!;
      for (let p = 0; p < D; p++) Z[p * l + t]! -= dot * Z[p * l + s]!;
    }
    let nrm = 0;
    for (let p = 0; p < D; p++) nrm += Z[p * l + t]! ** 2;
    nrm = Math.sqrt(nrm);
    // A rank-deficient sample (fewer directions than l) leaves a zero column.
    for (let p = 0; p < D; p++) Z[p * l + t] = nrm > 1e-12 ? Z[p * l + t]! / nrm : 0;
  }
}

/** Y (n×l) = X (n×D) · Z (D×l). */
function mulXZ(X: Float64Array, Z: Float64Array, n: number, D: number, l: number, Y: Float64Array): void {
  Y.fill(0);
  for (let s = 0; s < n; s++) {
    const xo = s * D,
      yo = s * l;
    for (let p = 0; p < D; p++) {
      const v = X[xo + p]!;
      if (v === 0) continue;
      const zo = p * l;
      for (let t = 0; t < l; t++) Y[yo + t]! += v * Z[zo + t]!;
    }
  }
}

/** Z (D×l) = Xᵀ (D×n) · Y (n×l). */
function mulXtY(X: Float64Array, Y: Float64Array, n: number, D: number, l: number, Z: Float64Array): void {
  Z.fill(0);
  for (let s = 0; s < n; s++) {
    const xo = s * D,
      yo = s * l;
    for (let p = 0; p < D; p++) {
      const v = X[xo + p]!;
      if (v === 0) continue;
      const zo = p * l;
      for (let t = 0; t < l; t++) Z[zo + t]! += v * Y[yo + t]!;
    }
  }
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi): values descending, vectors as columns. */
export function symmetricEigen(A: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = A.slice();
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  let scale = 0;
  for (let i = 0; i < l * l; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < l; i++) for (let j = i + 1; j < l; j++) off += a[i * l + j]! ** 2;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < l; p++)
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (apq === 0) continue;
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!,
            akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!,
            aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!,
            vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((i, j) => a[j * l + j]! - a[i * l + i]! || i - j);
  const values = Float64Array.from(order, (i) => a[i * l + i]!);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src]!;
  });
  return { values, vectors };
}

/**
 * The m leading principal components of every class's pixel covariance, from the images
 * `x` (n × D, any numeric array) with labels `y`. `passes` power passes, `oversample` extra
 * directions (accuracy of the leading m improves with both; 4 and 8 are ample for image
 * spectra). A class with fewer than 2 images gets NaN eigenvalues and zero vectors.
 */
export function classPCs(
  x: ArrayLike<number>,
  y: Int32Array,
  D: number,
  numClasses: number,
  m: number,
  rng: Rng,
  passes = 4,
  oversample = 8,
): ClassPCs {
  const out: ClassPCs = { D, m, vectors: [], eigenvalues: [], totalVariance: [], samples: [] };
  for (let c = 0; c < numClasses; c++) {
    const rows: number[] = [];
    for (let s = 0; s < y.length; s++) if (y[s] === c) rows.push(s);
    const n = rows.length;
    out.samples.push(n);
    const vec = new Float64Array(m * D);
    const eig = new Float64Array(m).fill(NaN);
    out.vectors.push(vec);
    out.eigenvalues.push(eig);
    if (n < 2) {
      out.totalVariance.push(NaN);
      continue;
    }
    // Centred class sample, float64.
    const mean = new Float64Array(D);
    for (const s of rows) for (let p = 0; p < D; p++) mean[p]! += x[s * D + p]!;
    for (let p = 0; p < D; p++) mean[p]! /= n;
    const X = new Float64Array(n * D);
    let trace = 0;
    rows.forEach((s, r) => {
      for (let p = 0; p < D; p++) {
        const v = x[s * D + p]! - mean[p]!;
        X[r * D + p] = v;
        trace += v * v;
      }
    });
    out.totalVariance.push(trace / (n - 1));
    const l = Math.min(m + oversample, D, n);
    const Z = new Float64Array(D * l);
    for (let i = 0; i < Z.length; i++) Z[i] = rng.normal();
    orthonormalize(Z, D, l);
    const Y = new Float64Array(n * l);
    for (let it = 0; it < passes; it++) {
      mulXZ(X, Z, n, D, l, Y);
      mulXtY(X, Y, n, D, l, Z);
      orthonormalize(Z, D, l);
    }
    mulXZ(X, Z, n, D, l, Y);
    // T = (X Z)ᵀ (X Z) / (n − 1) = Zᵀ Σ Z.
    const T = new Float64Array(l * l);
    for (let s = 0; s < n; s++)
      for (let a = 0; a < l; a++) {
        const ya = Y[s * l + a]!;
        for (let b = 0; b < l; b++) T[a * l + b]! += ya * Y[s * l + b]!;
      }
    for (let i = 0; i < T.length; i++) T[i]! /= n - 1;
    const { values, vectors: R } = symmetricEigen(T, l);
    for (let t = 0; t < Math.min(m, l); t++) {
      eig[t] = values[t]!;
      const o = t * D;
      let nrm = 0,
        big = 0;
      for (let p = 0; p < D; p++) {
        let v = 0;
        for (let a = 0; a < l; a++) v += Z[p * l + a]! * R[a * l + t]!;
        vec[o + p] = v;
        nrm += v * v;
        if (Math.abs(v) > Math.abs(big)) big = v;
      }
      // Unit norm; sign fixed so the largest entry is positive (eigenvectors have no sign of their own).
      const f = nrm > 0 ? Math.sign(big || 1) / Math.sqrt(nrm) : 0;
      for (let p = 0; p < D; p++) vec[o + p]! *= f;
    }
  }
  return out;
}
