import type { ImageLayout, Rng } from '@imp/artifacts';
import { choleskyWithJitter, type GramFn } from './cholesky.ts';

/**
 * Gaussian clone of a dataset: every image is replaced by a draw from the Gaussian
 * with the empirical mean and covariance of its class's TRAINING images. The clone
 * keeps all first- and second-order statistics of each class and nothing of the
 * higher-order (non-Gaussian) structure, the control that separates "local receptive
 * fields come from the covariance" from "they need non-Gaussian input statistics"
 * (spec §8 "Data"; Ingrosso & Goldt 2022; Redman et al. 2024).
 */

export interface CloneSplit {
  x: Uint8Array | Float32Array;
  y: Int32Array;
}

export interface CloneInput {
  train: CloneSplit;
  val: CloneSplit;
  layout: ImageLayout;
  num_classes: number;
  class_names?: string[];
}

export interface CloneOptions {
  /** First Cholesky jitter, relative to the class's mean pixel variance. */
  jitterRel: number;
  /** Largest relative jitter tried before giving up. */
  maxJitterRel: number;
  /** Block size of the blocked Cholesky (the trailing updates run on the engine). */
  block: number;
  log?: (m: string) => void;
}

export const DEFAULT_CLONE_OPTIONS: CloneOptions = { jitterRel: 1e-6, maxJitterRel: 1e-2, block: 256 };

/**
 * Fills `z` with standard normals: Box–Muller on pairs of the Rng's 32-bit outputs
 * (about 3× faster than Rng.normal's polar method; the clone draws ~55 M of them).
 * Tails are cut at ≈6.7σ by the 32-bit uniforms, far beyond what 10⁵ samples probe.
 */
export function fillNormal(rng: Rng, z: Float32Array): void {
  const TWO_PI = 2 * Math.PI;
  const INV = 1 / 4294967296;
  let i = 0;
  for (; i + 1 < z.length; i += 2) {
    const u1 = (rng.uint32() + 0.5) * INV;
    const u2 = rng.uint32() * INV;
    const r = Math.sqrt(-2 * Math.log(u1));
    const th = TWO_PI * u2;
    z[i] = r * Math.cos(th);
    z[i + 1] = r * Math.sin(th);
  }
  if (i < z.length) {
    const u1 = (rng.uint32() + 0.5) * INV;
    z[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * rng.uint32() * INV);
  }
}

/** Pixels whose training variance is below this fraction of the mean variance are held at their mean. */
export const CONSTANT_PIXEL_REL = 1e-12;

export interface ClassCloneRecord {
  class: number;
  name?: string;
  n_train_stats: number;
  /** Pixels that vary within the class (the covariance is factorised on these). */
  active_pixels: number;
  jitter: number;
  jitter_rel: number;
  cholesky_attempts: number;
  mean_variance: number;
}

export interface CloneResult {
  train: { x: Float32Array; y: Int32Array };
  val: { x: Float32Array; y: Int32Array };
  classes: ClassCloneRecord[];
  timings: { stats_s: number; cholesky_s: number; sample_s: number };
  backend: Record<string, unknown>;
}

type MatMul = (
  a: Float32Array,
  ashape: [number, number],
  b: Float32Array,
  bshape: [number, number],
  ta: boolean,
  tb: boolean,
) => Promise<Float32Array>;

/**
 * The products of the clone. On the native backend they call the addon's GEMM directly (the
 * same call, arguments and thread rule as tfjs' BatchMatMul kernel there, so the same bytes)
 * and tfjs is never loaded (~0.5 s of module loading); otherwise tfjs' matMul on whatever
 * backend initEngine picks. Imported here, not at module top: the stage definition must stay
 * light (contract brief).
 */
async function engine(): Promise<{ matMul: MatMul; info: Record<string, unknown> }> {
  const { nativeGemm } = await import('@imp/engine/fused-engine');
  const native = nativeGemm();
  if (native)
    return {
      info: { ...native.info },
      async matMul(a, ashape, b, bshape, ta, tb) {
        const M = ta ? ashape[1] : ashape[0];
        const K = ta ? ashape[0] : ashape[1];
        const N = tb ? bshape[0] : bshape[1];
        const out = new Float32Array(M * N);
        if (K > 0) native.sgemm(ta ? 1 : 0, tb ? 1 : 0, M, N, K, a, b, out, 0, 0);
        return out;
      },
    };
  const eng = await import('@imp/engine');
  let info: Record<string, unknown>;
  try {
    info = { ...eng.engineInfo() };
  } catch {
    info = { ...(await eng.initEngine()) };
  }
  const tf = eng.tf;
  return {
    info,
    async matMul(a, ashape, b, bshape, ta, tb) {
      const A = tf.tensor2d(a, ashape);
      const B = b === a ? A : tf.tensor2d(b, bshape);
      const C = tf.matMul(A, B, ta, tb);
      const out = (await C.data()) as Float32Array;
      A.dispose();
      if (B !== A) B.dispose();
      C.dispose();
      return out;
    },
  };
}

// The per-class loops below are small separate functions: inside the long async gaussianClone
// V8 ran them several times slower (e.g. 20 ns per pixel for the constant fill).

/** Rows `rows` of x [*, D] as float32 rows of out (inputs may be uint8). */
function gatherClassRows(x: Uint8Array | Float32Array, rows: number[], D: number, out: Float32Array): void {
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r]! * D, (rows[r]! + 1) * D), r * D);
}

/** Per-pixel mean and sum of squared deviations over n rows, float64, rows in order. */
function meanAndSq(X: Float32Array, n: number, D: number): { mean: Float64Array; sq: Float64Array } {
  const mean = new Float64Array(D);
  for (let r = 0; r < n; r++) for (let d = 0, o = r * D; d < D; d++) mean[d] += X[o + d]!;
  for (let d = 0; d < D; d++) mean[d] /= n;
  const sq = new Float64Array(D);
  for (let r = 0; r < n; r++)
    for (let d = 0, o = r * D; d < D; d++) {
      const v = X[o + d]! - mean[d]!;
      sq[d] += v * v;
    }
  return { mean, sq };
}

/** (X[:, active] − meanA)·s into Xc [n, Da]. */
function centredActive(
  X: Float32Array,
  n: number,
  D: number,
  active: Int32Array,
  meanA: Float64Array,
  s: number,
  Xc: Float32Array,
): void {
  const Da = active.length;
  for (let r = 0; r < n; r++) {
    const o = r * D;
    const q = r * Da;
    for (let a = 0; a < Da; a++) Xc[q + a] = (X[o + active[a]!]! - meanA[a]!) * s;
  }
}

/** Every target row of dst set to the class mean (float64 rounded to float32). */
function fillMean(dst: Float32Array, targets: number[], D: number, mean: Float64Array): void {
  for (const i of targets) for (let d = 0, o = i * D; d < D; d++) dst[o + d] = mean[d]!;
}

/** dst[target r, active a] = meanA[a] + Y[r, a]. */
function scatterSamples(
  dst: Float32Array,
  targets: number[],
  D: number,
  active: Int32Array,
  meanA: Float64Array,
  Y: Float32Array,
): void {
  const Da = active.length;
  for (let r = 0; r < targets.length; r++) {
    const o = targets[r]! * D;
    const q = r * Da;
    for (let a = 0; a < Da; a++) dst[o + active[a]!] = meanA[a]! + Y[q + a]!;
  }
}

/**
 * Builds the clone. Draws consume `rng` in a fixed order (class 0 train, class 0
 * val, class 1 train, ...), so a seed fixes the result on a given backend.
 * Labels, their order and the split sizes are those of the input.
 */
export async function gaussianClone(
  ds: CloneInput,
  rng: Rng,
  opts: CloneOptions = DEFAULT_CLONE_OPTIONS,
): Promise<CloneResult> {
  const { matMul, info } = await engine();
  const log = opts.log ?? (() => {});
  const D = ds.layout.channels * ds.layout.height * ds.layout.width;
  const K = ds.num_classes;
  const out = {
    train: { x: new Float32Array(ds.train.y.length * D), y: Int32Array.from(ds.train.y) },
    val: { x: new Float32Array(ds.val.y.length * D), y: Int32Array.from(ds.val.y) },
  };
  const rowsOf = (y: Int32Array) => {
    const r: number[][] = Array.from({ length: K }, () => []);
    for (let i = 0; i < y.length; i++) {
      const c = y[i]!;
      if (c < 0 || c >= K) throw new RangeError(`gaussian-clone: label ${c} outside 0..${K - 1}`);
      r[c]!.push(i);
    }
    return r;
  };
  const trainRows = rowsOf(ds.train.y);
  const valRows = rowsOf(ds.val.y);
  const gram: GramFn = (a, m, k) => matMul(a, [m, k], a, [m, k], false, true);
  const timings = { stats_s: 0, cholesky_s: 0, sample_s: 0 };
  const classes: ClassCloneRecord[] = [];
  // Work buffers reused across classes (each use overwrites what it reads): fresh 20 MB arrays
  // per class cost their page faults again every time.
  const reusable = () => {
    let buf = new Float32Array(0);
    return (len: number) => (buf.length >= len ? buf : (buf = new Float32Array(len))).subarray(0, len);
  };
  const scratch = reusable();
  const centred = reusable();
  const normals = reusable();

  for (let c = 0; c < K; c++) {
    let t = performance.now();
    const rows = trainRows[c]!;
    const n = rows.length;
    if (n === 0 && valRows[c]!.length === 0) continue;
    if (n < 2)
      throw new RangeError(
        `gaussian-clone: class ${ds.class_names?.[c] ?? c} has ${n} training image(s); its covariance needs at least 2`,
      );
    // The class's training images as float32 rows (one monomorphic copy: inputs may be uint8).
    const Xall = scratch(n * D);
    gatherClassRows(ds.train.x, rows, D, Xall);
    // Mean and variance in float64, in a fixed order (reproducible bit for bit).
    const { mean, sq } = meanAndSq(Xall, n, D);
    let meanVar = 0;
    for (let d = 0; d < D; d++) meanVar += sq[d]! / (n - 1);
    meanVar /= D;
    const activeList: number[] = [];
    for (let d = 0; d < D; d++) if (sq[d]! / (n - 1) > CONSTANT_PIXEL_REL * meanVar) activeList.push(d);
    const active = Int32Array.from(activeList);
    const Da = active.length;
    const meanA = new Float64Array(Da);
    for (let a = 0; a < Da; a++) meanA[a] = mean[active[a]!]!;
    // Centred training images on the active pixels, scaled so XᵀX is the unbiased covariance.
    const s = 1 / Math.sqrt(n - 1);
    const Xc = centred(n * Da);
    centredActive(Xall, n, D, active, meanA, s, Xc);
    const cov32 = Da > 0 ? await matMul(Xc, [n, Da], Xc, [n, Da], true, false) : new Float32Array(0);
    const cov = new Float64Array(Da * Da);
    // Symmetrise (BLAS need not return an exactly symmetric XᵀX).
    for (let i = 0; i < Da; i++)
      for (let j = 0; j <= i; j++) cov[i * Da + j] = cov[j * Da + i] = 0.5 * (cov32[i * Da + j]! + cov32[j * Da + i]!);
    timings.stats_s += (performance.now() - t) / 1000;

    t = performance.now();
    const ch =
      Da > 0
        ? await choleskyWithJitter(cov, Da, {
            jitterRel: opts.jitterRel,
            maxJitterRel: opts.maxJitterRel,
            block: opts.block,
            gram,
          })
        : { L: new Float64Array(0), jitter: 0, jitterRel: 0, attempts: 0 };
    timings.cholesky_s += (performance.now() - t) / 1000;
    const L32 = Float32Array.from(ch.L);
    classes.push({
      class: c,
      ...(ds.class_names ? { name: ds.class_names[c] } : {}),
      n_train_stats: n,
      active_pixels: Da,
      jitter: ch.jitter,
      jitter_rel: ch.jitterRel,
      cholesky_attempts: ch.attempts,
      mean_variance: meanVar,
    });
    log(
      `gaussian-clone: class ${ds.class_names?.[c] ?? c}: ${n} train images, ${Da}/${D} varying pixels, jitter ${ch.jitterRel.toExponential(0)}×mean variance`,
    );

    t = performance.now();
    for (const [split, targets] of [
      ['train', trainRows[c]!],
      ['val', valRows[c]!],
    ] as const) {
      const m = targets.length;
      if (m === 0) continue;
      const dst = out[split].x;
      // Constant pixels first (every sample equals the class mean there).
      fillMean(dst, targets, D, mean);
      if (Da === 0) continue;
      const Z = normals(m * Da);
      fillNormal(rng, Z);
      // Rows of Z·Lᵀ are L·z: covariance L·Lᵀ = Σ + jitter·I.
      const Y = await matMul(Z, [m, Da], L32, [Da, Da], false, true);
      scatterSamples(dst, targets, D, active, meanA, Y);
    }
    timings.sample_s += (performance.now() - t) / 1000;
  }
  return { ...out, classes, timings, backend: info };
}
