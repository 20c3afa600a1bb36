/** Per-node and per-level scalar measures of spec §4(b), (d), (g) and the IPR of §4. */
import { Rng } from '@imp/artifacts';

/** log Γ(x) (Lanczos, g = 7), accurate to ~1e-13 for x > 0. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export function binomialPmf(n: number, p: number, k: number): number {
  if (k < 0 || k > n) return 0;
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

export interface HistBin {
  lo: number; // inclusive
  hi: number; // exclusive
  count: number;
  expected: number;
}

/**
 * C^in histogram (spec §4(b), bin width 2 in the notebook) with the expectation for a
 * random mask of the same density: nodes × P(Binomial(fanIn, u) ∈ bin).
 */
export function inDegreeHistogram(deg: ArrayLike<number>, fanIn: number, u: number, binWidth: number): HistBin[] {
  let max = 0;
  let min = Infinity;
  for (let j = 0; j < deg.length; j++) {
    max = Math.max(max, deg[j]!);
    min = Math.min(min, deg[j]!);
  }
  // Cover both the data and the bulk of the binomial.
  const mu = fanIn * u;
  const sd = Math.sqrt(fanIn * u * (1 - u));
  const from = Math.max(0, Math.min(min, Math.floor(mu - 6 * sd)));
  const to = Math.min(fanIn, Math.max(max, Math.ceil(mu + 6 * sd)));
  const start = Math.floor(from / binWidth) * binWidth;
  const bins: HistBin[] = [];
  for (let lo = start; lo <= to; lo += binWidth) {
    let e = 0;
    for (let k = lo; k < lo + binWidth && k <= fanIn; k++) e += binomialPmf(fanIn, u, k);
    bins.push({ lo, hi: lo + binWidth, count: 0, expected: e * deg.length });
  }
  for (let j = 0; j < deg.length; j++) bins[Math.floor((deg[j]! - start) / binWidth)]!.count++;
  return bins;
}

/**
 * In-degree groups for connection-resolved S^sc (spec §4(d)): bins of `width` starting
 * at max(min C^in, 2); the last of `panels` bins collects every larger in-degree. Unlike
 * the notebook (strict inequalities at both edges drop nodes on a bin edge), bins here
 * are [lo, lo+width) so every node with C^in ≥ 2 is counted once.
 */
export function degreeGroups(
  deg: ArrayLike<number>,
  width: number,
  panels: number,
): { groups: Int32Array; bins: { lo: number; hi: number; nodes: number }[] } {
  let min = Infinity,
    max = 0;
  for (let j = 0; j < deg.length; j++)
    if (deg[j]! >= 2) {
      min = Math.min(min, deg[j]!);
      max = Math.max(max, deg[j]!);
    }
  const groups = new Int32Array(deg.length).fill(-1);
  if (!Number.isFinite(min)) return { groups, bins: [] };
  const start = Math.max(min, 2);
  const n = Math.min(panels, Math.floor((max - start) / width) + 1);
  const bins = Array.from({ length: n }, (_, i) => ({
    lo: start + i * width,
    hi: i === n - 1 ? max + 1 : start + (i + 1) * width,
    nodes: 0,
  }));
  for (let j = 0; j < deg.length; j++) {
    const k = deg[j]!;
    if (k < start) continue;
    const g = Math.min(n - 1, Math.floor((k - start) / width));
    groups[j] = g;
    bins[g]!.nodes++;
  }
  return { groups, bins };
}

/** IPR_j = Σ_p w⁴ / (Σ_p w²)², w = W1 ⊙ M1 (spec §4, follow-up measure); NaN for a node with no weight. */
export function iprPerNode(W: Float32Array, M: Uint8Array | null, fanIn: number, fanOut: number): Float64Array {
  const s2 = new Float64Array(fanOut);
  const s4 = new Float64Array(fanOut);
  for (let p = 0; p < fanIn; p++) {
    const o = p * fanOut;
    for (let j = 0; j < fanOut; j++) {
      if (M && !M[o + j]) continue;
      const w2 = W[o + j]! * W[o + j]!;
      s2[j]! += w2;
      s4[j]! += w2 * w2;
    }
  }
  return s4.map((v, j) => (s2[j]! > 0 ? v / (s2[j]! * s2[j]!) : NaN));
}

export type AblationMode = 'max' | 'min' | 'rand';

/**
 * Order in which first-layer nodes are removed (spec §4(g)): most-connected first
 * ('max'), least-connected first ('min'), or random ('rand'). Only nodes with at least
 * one incoming connection are candidates (removing a dead node changes nothing);
 * ties go to the lower node index.
 */
export function ablationOrder(deg: ArrayLike<number>, mode: AblationMode, rng?: Rng): number[] {
  const alive: number[] = [];
  for (let j = 0; j < deg.length; j++) if (deg[j]! > 0) alive.push(j);
  if (mode === 'max') return alive.sort((a, b) => deg[b]! - deg[a]! || a - b);
  if (mode === 'min') return alive.sort((a, b) => deg[a]! - deg[b]! || a - b);
  return (rng ?? new Rng(0, 0)).shuffle(alive);
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0,
    n = 0;
  for (let i = 0; i < xs.length; i++)
    if (Number.isFinite(xs[i]!)) {
      s += xs[i]!;
      n++;
    }
  return n ? s / n : NaN;
}

export function std(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0,
    n = 0;
  for (let i = 0; i < xs.length; i++)
    if (Number.isFinite(xs[i]!)) {
      s += (xs[i]! - m) ** 2;
      n++;
    }
  return n ? Math.sqrt(s / n) : NaN;
}

/** Indices of the `n` most-connected nodes, ties to the lower index (mask grids, spec §4(f)). */
export function topNodes(deg: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: deg.length }, (_, j) => j)
    .sort((a, b) => deg[b]! - deg[a]! || a - b)
    .slice(0, n);
}
