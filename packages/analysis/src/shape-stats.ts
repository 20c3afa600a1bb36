/**
 * The shape of one node's surviving first-layer connections, from the second moments of
 * their pixel coordinates (beyond the paper: spec §5.2 describes the masks as "compact,
 * localised patches", many "oriented (horizontal/vertical) stripe detectors"; these numbers
 * measure that). Every connected input counts as a unit square at its (row, column): the
 * covariance is that of the points plus I/12 (a unit square's own second moment), so a 1×n
 * bar has elongation exactly n and a single pixel elongation 1. Channels are pooled: in
 * colour, a node's connections to R, G and B of one pixel are three points at that pixel.
 */
import type { Rng } from '@imp/artifacts';
import type { Geometry } from './smap.ts';

/** Per-node connection lists (CSR): node j owns entries start[j] .. start[j+1]. */
export interface NodePoints {
  nodes: number;
  start: Int32Array;
  /** Pixel index c·H·W + y·W + x in the analysis pixel space. */
  pos: Int32Array;
  /** The connection's weight w (signed; shapes use |w|). */
  w: Float32Array;
}

/**
 * The connections of every first-layer node on valid pixels: mask entries of W1 [D, h1]
 * (row-major, stored input order; a null mask = dense), placed at `placeOf[i]` (the
 * analysis pixel space, e.g. the original pixel of a permuted input).
 */
export function nodePoints(
  W: Float32Array,
  M: Uint8Array | null,
  D: number,
  h1: number,
  placeOf: ArrayLike<number>,
  valid: Uint8Array | undefined,
): NodePoints {
  const counts = new Int32Array(h1 + 1);
  for (let i = 0; i < D; i++) {
    if (valid && !valid[placeOf[i]!]) continue;
    const o = i * h1;
    for (let j = 0; j < h1; j++) if (!M || M[o + j]) counts[j + 1]!++;
  }
  for (let j = 0; j < h1; j++) counts[j + 1]! += counts[j]!;
  const start = counts.slice();
  const fill = counts.slice(0, h1);
  const pos = new Int32Array(start[h1]!);
  const w = new Float32Array(start[h1]!);
  for (let i = 0; i < D; i++) {
    const p = placeOf[i]!;
    if (valid && !valid[p]) continue;
    const o = i * h1;
    for (let j = 0; j < h1; j++)
      if (!M || M[o + j]) {
        const t = fill[j]!++;
        pos[t] = p;
        w[t] = W[o + j]!;
      }
  }
  return { nodes: h1, start, pos, w };
}

export interface Shape {
  /** Connections (points). */
  n: number;
  /** Centroid (row, column), px. */
  cy: number;
  cx: number;
  /** sqrt(λ1/λ2) of the covariance + I/12; 1 = isotropic. */
  elongation: number;
  /** Major axis, degrees in [0, 180): 0 = horizontal, 90 = vertical (y pointing up, counter-clockwise). */
  orientation: number;
  /** Mean distance of the points to their centroid, px (weighted mean when weighted). */
  spread: number;
}

const UNIT = 1 / 12;

/**
 * Moments of points at pixel positions `pos[from..to)` (weights |w| when given, else 1).
 * `ys`/`xs` are the row and column of every pixel index (precomputed per geometry).
 */
export function shapeOf(
  pos: ArrayLike<number>,
  from: number,
  to: number,
  ys: Int32Array,
  xs: Int32Array,
  w?: ArrayLike<number>,
): Shape {
  let sw = 0,
    sy = 0,
    sx = 0;
  for (let t = from; t < to; t++) {
    const a = w ? Math.abs(w[t]!) : 1;
    const p = pos[t]!;
    sw += a;
    sy += a * ys[p]!;
    sx += a * xs[p]!;
  }
  const n = to - from;
  if (!(sw > 0)) return { n, cy: NaN, cx: NaN, elongation: NaN, orientation: NaN, spread: NaN };
  const cy = sy / sw,
    cx = sx / sw;
  let cyy = 0,
    cxx = 0,
    cxy = 0,
    sd = 0;
  for (let t = from; t < to; t++) {
    const a = w ? Math.abs(w[t]!) : 1;
    const p = pos[t]!;
    const dy = ys[p]! - cy,
      dx = xs[p]! - cx;
    cyy += a * dy * dy;
    cxx += a * dx * dx;
    cxy += a * dy * dx;
    sd += a * Math.sqrt(dy * dy + dx * dx);
  }
  cyy = cyy / sw + UNIT;
  cxx = cxx / sw + UNIT;
  cxy /= sw;
  const half = (cxx + cyy) / 2;
  const root = Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy * cxy);
  // Both eigenvalues are at least 1/12 (the unit squares), so the ratio is finite.
  const l1 = half + root,
    l2 = half - root;
  // Rows grow downwards; with y up the covariance of (x, y) has off-diagonal −cxy.
  let theta = (0.5 * Math.atan2(-2 * cxy, cxx - cyy) * 180) / Math.PI;
  if (theta < 0) theta += 180;
  if (theta >= 180) theta -= 180;
  theta += 0; // no −0
  return { n, cy, cx, elongation: Math.sqrt(l1 / l2), orientation: theta, spread: sd / sw };
}

/** Row and column of every pixel index c·H·W + y·W + x. */
export function pixelCoords(g: Geometry): { ys: Int32Array; xs: Int32Array } {
  const HW = g.height * g.width;
  const D = g.channels * HW;
  const ys = new Int32Array(D),
    xs = new Int32Array(D);
  for (let p = 0; p < D; p++) {
    ys[p] = Math.floor((p % HW) / g.width);
    xs[p] = p % g.width;
  }
  return { ys, xs };
}

/**
 * k distinct entries of `pool`, uniformly (partial Fisher–Yates on the pool itself: the first
 * k slots are a uniform k-subset whatever order the pool is in, so it needs no reset).
 */
export function drawSubset(rng: Rng, pool: Int32Array, k: number, out: Int32Array, at: number): void {
  const n = pool.length;
  if (k > n) throw new Error(`cannot draw ${k} distinct pixels from ${n}`);
  for (let t = 0; t < k; t++) {
    const r = t + rng.int(n - t);
    const v = pool[r]!;
    pool[r] = pool[t]!;
    pool[t] = v;
    out[at + t] = v;
  }
}

/** Orientation within `tol` degrees of horizontal or vertical (the "+"-shaped S^sc of spec §5.2). */
export const nearAxis = (theta: number, tol = 22.5) => {
  const d = theta % 90;
  return d <= tol || d >= 90 - tol;
};
