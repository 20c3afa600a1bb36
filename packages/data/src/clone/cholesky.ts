/**
 * Cholesky factorisation of a covariance matrix for the Gaussian clone: Σ + εI = L Lᵀ
 * with L lower triangular, so x = μ + L z (z standard normal) has covariance Σ + εI.
 * ε (the jitter) is the smallest of a geometric ladder that makes the factorisation
 * succeed: empirical covariances are often singular (per-crop standardised patches sum
 * to zero; some datasets have pixels that vary together exactly) and are computed in
 * float32, so an exact zero eigenvalue can come out slightly negative.
 */

/** C (m×m, row-major) = A·Aᵀ for A m×k row-major; a hook so the big products can run on the engine. */
export type GramFn = (a: Float32Array, m: number, k: number) => Float32Array | Promise<Float32Array>;

/** Plain-JS A·Aᵀ (float64 accumulation); for tests and small sizes. */
export const gramJs: GramFn = (a, m, k) => {
  const c = new Float32Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * a[j * k + t]!;
      c[i * m + j] = c[j * m + i] = s;
    }
  return c;
};

export class NotPositiveDefinite extends Error {
  constructor(readonly pivot: number) {
    super(`matrix is not positive definite (pivot ${pivot})`);
  }
}

/**
 * In-place unblocked Cholesky (row-oriented Crout) of the n×n block of `a` at
 * (off, off) with leading dimension ld; float64. Only the lower triangle is read and written.
 */
function cholUnblocked(a: Float64Array, ld: number, off: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = (off + i) * ld + off;
    for (let j = 0; j <= i; j++) {
      const rj = (off + j) * ld + off;
      // Four accumulators: ~2x faster than one in V8 (independent multiply-add chains).
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let t = 0;
      for (; t + 3 < j; t += 4) {
        s0 += a[ri + t]! * a[rj + t]!;
        s1 += a[ri + t + 1]! * a[rj + t + 1]!;
        s2 += a[ri + t + 2]! * a[rj + t + 2]!;
        s3 += a[ri + t + 3]! * a[rj + t + 3]!;
      }
      for (; t < j; t++) s0 += a[ri + t]! * a[rj + t]!;
      const s = a[ri + j]! - (s0 + s1 + (s2 + s3));
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefinite(off + i);
        a[ri + i] = Math.sqrt(s);
      } else a[ri + j] = s / a[rj + j]!;
    }
  }
}

export interface CholeskyOptions {
  /** Block size of the blocked algorithm (matrices up to this size are factorised unblocked). */
  block?: number;
  /** Gram products for the trailing updates of the blocked algorithm (default: JS). */
  gram?: GramFn;
  /**
   * Matrices up to this size are factorised unblocked in float64 (D = 784 takes ~0.1 s);
   * larger ones (RGB, D = 3072) use the blocked algorithm, whose float32 trailing
   * updates the jitter ladder absorbs.
   */
  unblockedUpTo?: number;
}

/**
 * Cholesky of the symmetric positive definite n×n matrix `a` (row-major, float64,
 * lower triangle used); returns L (row-major, upper triangle zero). Right-looking
 * blocked: the n³/3 flops of the trailing updates go through `gram` (tf.matMul on the
 * native BLAS backend); the diagonal blocks and panel solves stay in float64 JS.
 */
export async function cholesky(a: Float64Array, n: number, opts: CholeskyOptions = {}): Promise<Float64Array> {
  const L = Float64Array.from(a);
  const nb = opts.block ?? 256;
  const gram = opts.gram ?? gramJs;
  if (n <= Math.max(nb, opts.unblockedUpTo ?? 1024)) cholUnblocked(L, n, 0, n);
  else {
    for (let k = 0; k < n; k += nb) {
      const b = Math.min(nb, n - k);
      cholUnblocked(L, n, k, b);
      const m = n - k - b;
      if (m === 0) break;
      // Panel: L21 = A21 · L11⁻ᵀ (forward substitution on each row).
      const panel = new Float32Array(m * b);
      for (let i = 0; i < m; i++) {
        const ri = (k + b + i) * n + k;
        for (let j = 0; j < b; j++) {
          const rj = (k + j) * n + k;
          let s = L[ri + j]!;
          for (let t = 0; t < j; t++) s -= L[ri + t]! * L[rj + t]!;
          L[ri + j] = s / L[rj + j]!;
          panel[i * b + j] = L[ri + j]!;
        }
      }
      // Trailing update: A22 -= L21 · L21ᵀ (lower triangle).
      const g = await gram(panel, m, b);
      for (let i = 0; i < m; i++) {
        const ri = (k + b + i) * n + k + b;
        for (let j = 0; j <= i; j++) L[ri + j] -= g[i * m + j]!;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = 0;
  return L;
}

export interface JitterOptions extends CholeskyOptions {
  /** First jitter, relative to the mean diagonal (the mean variance). */
  jitterRel?: number;
  /** Give up above this relative jitter. */
  maxJitterRel?: number;
}

/**
 * Cholesky of Σ + εI with ε = jitterRel · mean(diag Σ) · 10^k, k = 0, 1, ... until it
 * succeeds (or ε exceeds maxJitterRel · mean(diag Σ)). Returns L and the ε used.
 */
export async function choleskyWithJitter(
  sigma: Float64Array,
  n: number,
  opts: JitterOptions = {},
): Promise<{ L: Float64Array; jitter: number; jitterRel: number; attempts: number }> {
  const rel0 = opts.jitterRel ?? 1e-6;
  const relMax = opts.maxJitterRel ?? 1e-2;
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += sigma[i * n + i]!;
  meanDiag /= n;
  let attempts = 0;
  for (let rel = rel0; rel <= relMax * (1 + 1e-9); rel *= 10) {
    attempts++;
    const eps = rel * meanDiag;
    const a = Float64Array.from(sigma);
    for (let i = 0; i < n; i++) a[i * n + i] += eps;
    try {
      const L = await cholesky(a, n, opts);
      return { L, jitter: eps, jitterRel: rel, attempts };
    } catch (e) {
      if (!(e instanceof NotPositiveDefinite)) throw e;
    }
  }
  throw new NotPositiveDefinite(-1);
}
