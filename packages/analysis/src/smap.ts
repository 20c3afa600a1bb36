/**
 * Locality maps S^sc(d) and S^dc(d) (spec §4(c)). For every node, every ordered pair
 * of distinct connected inputs (p, q) adds 1 at d = (y_q − y_p, x_q − x_p) (so each
 * unordered pair fills +d and −d): same-channel pairs go to S^sc, different-channel
 * pairs to S^dc. Exact over every node (no pair cap, unlike the notebook's 1e7).
 *
 * Computed as Σ_nodes Σ_c autocorr(b_c) via zero-padded FFTs: the autocorrelation's
 * Fourier transform is |F(b_c)|², so per node we add power spectra and invert once
 * at the end. S^dc = autocorr(Σ_c b_c) − Σ_c autocorr(b_c) (cross terms only).
 * Values are integers; FFT round-off (≪ 0.5) is removed by rounding.
 *
 * A node with few inputs is counted directly instead (its k² ordered pairs, a few
 * nanoseconds each, against ~0.2 ms for its share of a 2-D FFT): pruned levels have
 * k ≪ 100, so most of an IMP run's maps need no FFT at all (issue 12). Both paths give
 * the exact integer counts, so the maps are the same whichever path a node takes.
 */
import { type Connectivity, forEachBit } from './connectivity.ts';
import { Fft, fft2d, nextPow2 } from './fft2d-radix2.ts';

export interface Geometry {
  channels: number;
  height: number;
  width: number;
}

/** A displacement map over d = (dy, dx) ∈ [−(H−1), H−1] × [−(W−1), W−1], row-major, d=0 at the centre. */
export interface DMap {
  h: number; // 2H − 1
  w: number; // 2W − 1
  data: Float64Array;
}

export interface SMaps {
  sc: DMap;
  dc: DMap;
  /** Nodes that contributed (≥ 1 valid input). */
  nodes: number;
}

export function dmapAt(m: DMap, dy: number, dx: number): number {
  return m.data[(dy + (m.h >> 1)) * m.w + dx + (m.w >> 1)]!;
}

export interface SMapOptions {
  /** Inputs that count (others are ignored, e.g. constant pixels); default all. */
  valid?: Uint8Array;
  /** Group of each node (−1 = skip); maps are returned per group. Default: one group. */
  groups?: Int32Array;
  nGroups?: number;
  /** Nodes with k² ≤ this are counted directly, the rest by FFT (default DIRECT_MAX_PAIRS; tests pin each path). */
  directMaxPairs?: number;
}

/** S^sc and S^dc per node group, exact, by FFT. */
export function computeSMaps(c: Connectivity, g: Geometry, opts: SMapOptions = {}): SMaps[] {
  const { channels: C, height: H, width: W } = g;
  const HW = H * W;
  if (C * HW !== c.dim) throw new Error(`geometry ${C}×${H}×${W} does not match input dim ${c.dim}`);
  const py = nextPow2(2 * H - 1);
  const px = nextPow2(2 * W - 1);
  const fy = new Fft(py);
  const fx = new Fft(px);
  const N = py * px;
  const nGroups = opts.groups ? (opts.nGroups ?? Math.max(0, ...opts.groups) + 1) : 1;
  const psc = Array.from({ length: nGroups }, () => new Float64Array(N));
  const pall = Array.from({ length: nGroups }, () => new Float64Array(N));
  const counts = new Int32Array(nGroups);
  const re = Array.from({ length: C }, () => new Float64Array(N));
  const im = Array.from({ length: C }, () => new Float64Array(N));
  const used = new Uint8Array(C);
  const valid = opts.valid;

  // Two nodes share one complex FFT (node A in the real part, node B in the imaginary
  // part); their spectra separate exactly as F_A(k) = (Z(k) + conj Z(−k))/2,
  // F_B(k) = (Z(k) − conj Z(−k))/(2i). This halves the FFT count.
  const neg = new Int32Array(N);
  for (let ky = 0; ky < py; ky++)
    for (let kx = 0; kx < px; kx++) neg[ky * px + kx] = ((py - ky) % py) * px + ((px - kx) % px);
  const fill = (j: number, part: Float64Array[]): boolean => {
    let k = 0;
    forEachBit(c, j, (p) => {
      if (valid && !valid[p]) return;
      const ch = (p / HW) | 0;
      const r = p - ch * HW;
      const y = (r / W) | 0;
      part[ch]![y * px + (r - y * W)] = 1;
      used[ch] = 1;
      k++;
    });
    return k > 0;
  };
  const sumAr = new Float64Array(N),
    sumAi = new Float64Array(N),
    sumBr = new Float64Array(N),
    sumBi = new Float64Array(N);
  const todo: number[] = [];
  // Direct pair counting for low-degree nodes, straight into the displacement maps.
  const h = 2 * H - 1;
  const w = 2 * W - 1;
  const dsc = Array.from({ length: nGroups }, () => new Float64Array(h * w));
  const ddc = Array.from({ length: nGroups }, () => new Float64Array(h * w));
  let anyDirect = false;
  const directMax = opts.directMaxPairs ?? DIRECT_MAX_PAIRS;
  const direct = new DirectPairs(c, g, valid);
  for (let j = 0; j < c.nodes; j++) {
    if (opts.groups && opts.groups[j]! < 0) continue;
    const k = direct.load(j);
    if (k * k > directMax) {
      todo.push(j);
      continue;
    }
    if (k === 0) continue;
    const gj = opts.groups ? opts.groups[j]! : 0;
    counts[gj]!++;
    direct.addTo(dsc[gj]!, ddc[gj]!);
    anyDirect = true;
  }
  for (let t0 = 0; t0 < todo.length; t0 += 2) {
    const a = todo[t0]!;
    const b = t0 + 1 < todo.length ? todo[t0 + 1]! : -1;
    used.fill(0);
    const hasA = fill(a, re);
    const hasB = b >= 0 && fill(b, im);
    if (!hasA && !hasB) continue;
    const gA = opts.groups ? opts.groups[a]! : 0;
    const gB = b >= 0 ? (opts.groups ? opts.groups[b]! : 0) : 0;
    if (hasA) counts[gA]!++;
    if (hasB) counts[gB]!++;
    sumAr.fill(0);
    sumAi.fill(0);
    sumBr.fill(0);
    sumBi.fill(0);
    const PsA = psc[gA]!,
      PsB = psc[gB]!;
    for (let ch = 0; ch < C; ch++) {
      if (!used[ch]) continue;
      const zr = re[ch]!,
        zi = im[ch]!;
      fft2d(fy, fx, zr, zi, false, H);
      for (let t = 0; t < N; t++) {
        const u = neg[t]!;
        const ar = (zr[t]! + zr[u]!) / 2,
          ai = (zi[t]! - zi[u]!) / 2;
        const br = (zi[t]! + zi[u]!) / 2,
          bi = (zr[u]! - zr[t]!) / 2;
        PsA[t]! += ar * ar + ai * ai;
        PsB[t]! += br * br + bi * bi;
        sumAr[t]! += ar;
        sumAi[t]! += ai;
        sumBr[t]! += br;
        sumBi[t]! += bi;
      }
      zr.fill(0);
      zi.fill(0);
    }
    const PaA = pall[gA]!,
      PaB = pall[gB]!;
    for (let t = 0; t < N; t++) {
      PaA[t]! += sumAr[t]! * sumAr[t]! + sumAi[t]! * sumAi[t]!;
      PaB[t]! += sumBr[t]! * sumBr[t]! + sumBi[t]! * sumBi[t]!;
    }
  }

  const viaFft = todo.length > 0;
  return psc.map((Ps, gi) => {
    const sc = viaFft ? inverseToDMap(Ps, fy, fx, H, W) : { h, w, data: new Float64Array(h * w) };
    const all = viaFft ? inverseToDMap(pall[gi]!, fy, fx, H, W) : { h, w, data: new Float64Array(h * w) };
    const dc = new Float64Array(sc.data.length);
    for (let t = 0; t < dc.length; t++) dc[t] = all.data[t]! - sc.data[t]!;
    if (anyDirect)
      for (let t = 0; t < dc.length; t++) {
        sc.data[t]! += dsc[gi]![t]!;
        dc[t]! += ddc[gi]![t]!;
      }
    // Self-pairs sit at d = 0 of the same-channel autocorrelation: S^sc(0) = 0 by definition.
    sc.data[(H - 1) * sc.w + (W - 1)] = 0;
    return { sc, dc: { h: sc.h, w: sc.w, data: dc }, nodes: counts[gi]! };
  });
}

/**
 * Nodes with at most this many ordered input pairs (k²) are counted directly. Measured at
 * 28×28 inputs (64×64 FFTs), 300 nodes of in-degree k, CPU ms per map, FFT vs direct:
 * k 50: 155 vs 5; 100: 67 vs 35; 150: 36 vs 26; 200: 56 vs 59; 300: 61 vs 129 — crossover ≈ 200.
 */
export const DIRECT_MAX_PAIRS = 180 * 180;

/** Direct O(k²) pair counting of one node at a time (exact integers, as the FFT path rounds to). */
class DirectPairs {
  private readonly pos: Int32Array;
  private readonly chan: Int32Array;
  private readonly list: Int32Array;
  private k = 0;
  private readonly center: number;
  constructor(
    private readonly c: Connectivity,
    private readonly g: Geometry,
    private readonly valid: Uint8Array | undefined,
  ) {
    const HW = g.height * g.width;
    const w = 2 * g.width - 1;
    this.pos = new Int32Array(c.dim);
    this.chan = new Int32Array(c.dim);
    for (let p = 0; p < c.dim; p++) {
      const ch = (p / HW) | 0;
      const r = p - ch * HW;
      const y = (r / g.width) | 0;
      this.pos[p] = y * w + (r - y * g.width);
      this.chan[p] = ch;
    }
    this.list = new Int32Array(c.dim);
    this.center = (g.height - 1) * w + (g.width - 1);
  }

  /** Collects node j's valid inputs (ascending); returns their number. */
  load(j: number): number {
    const { c, valid, list } = this;
    let k = 0;
    const o = j * c.words;
    for (let wd = 0; wd < c.words; wd++) {
      let v = c.bits[o + wd]!;
      while (v !== 0) {
        const t = v & -v;
        const p = (wd << 5) + (31 - Math.clz32(t));
        v ^= t;
        if (!valid || valid[p]) list[k++] = p;
      }
    }
    this.k = k;
    return k;
  }

  /** Adds the loaded node's ordered pairs p ≠ q at d = pos(q) − pos(p): same channel to sc, else dc. */
  addTo(sc: Float64Array, dc: Float64Array): void {
    const { list, pos, chan, k, center } = this;
    const single = this.g.channels === 1;
    for (let a = 0; a < k; a++) {
      const pa = list[a]!;
      const base = center - pos[pa]!;
      if (single) {
        for (let b = 0; b < k; b++) sc[base + pos[list[b]!]!]!++;
        sc[center]!--; // the self-pair p = q
      } else {
        const ca = chan[pa]!;
        for (let b = 0; b < k; b++) {
          if (b === a) continue;
          const pb = list[b]!;
          if (chan[pb] === ca) sc[base + pos[pb]!]!++;
          else dc[base + pos[pb]!]!++;
        }
      }
    }
  }
}

function inverseToDMap(P: Float64Array, fy: Fft, fx: Fft, H: number, W: number): DMap {
  const N = fy.n * fx.n;
  const re = Float64Array.from(P);
  const im = new Float64Array(N);
  fft2d(fy, fx, re, im, true);
  const h = 2 * H - 1;
  const w = 2 * W - 1;
  const data = new Float64Array(h * w);
  for (let dy = -(H - 1); dy <= H - 1; dy++) {
    const ry = (dy + fy.n) % fy.n;
    for (let dx = -(W - 1); dx <= W - 1; dx++) {
      const rx = (dx + fx.n) % fx.n;
      // Clamp −0 and tiny negatives from round-off to exact integers.
      data[(dy + H - 1) * w + dx + W - 1] = Math.max(0, Math.round(re[ry * fx.n + rx]! / N));
    }
  }
  return { h, w, data };
}

/** Reference O(Σ k²) pair counting, used by the tests to pin the FFT result. */
export function bruteForceSMaps(c: Connectivity, g: Geometry, valid?: Uint8Array): SMaps {
  const { height: H, width: W } = g;
  const HW = H * W;
  const h = 2 * H - 1;
  const w = 2 * W - 1;
  const sc = new Float64Array(h * w);
  const dc = new Float64Array(h * w);
  let nodes = 0;
  for (let j = 0; j < c.nodes; j++) {
    const ps: number[] = [];
    forEachBit(c, j, (p) => {
      if (!valid || valid[p]) ps.push(p);
    });
    if (ps.length) nodes++;
    for (const p of ps)
      for (const q of ps) {
        if (p === q) continue;
        const cp = Math.floor(p / HW),
          cq = Math.floor(q / HW);
        const yp = Math.floor((p % HW) / W),
          yq = Math.floor((q % HW) / W);
        const xp = (p % HW) % W,
          xq = (q % HW) % W;
        const idx = (yq - yp + H - 1) * w + (xq - xp + W - 1);
        if (cp === cq) sc[idx]!++;
        else dc[idx]!++;
      }
  }
  return { sc: { h, w, data: sc }, dc: { h, w, data: dc }, nodes };
}

/**
 * Ordered pairs of distinct valid inputs at each displacement (same / different
 * channel). A uniformly random mask with in-degree k over D' valid inputs picks each
 * such pair with probability k(k−1)/(D'(D'−1)), so E[S(d)] = Σ_j k_j(k_j−1)/(D'(D'−1)) · V(d):
 * the exact null expectation, no sampling (∝ (H−|dy|)(W−|dx|) when every pixel is valid).
 */
export function pairCapacity(g: Geometry, valid?: Uint8Array): SMaps {
  const D = g.channels * g.height * g.width;
  const v = valid ?? new Uint8Array(D).fill(1);
  const c = { dim: D, nodes: 1, words: Math.ceil(D / 32), bits: new Uint32Array(Math.ceil(D / 32)) };
  for (let p = 0; p < D; p++) if (v[p]) c.bits[p >>> 5]! |= 1 << (p & 31);
  return computeSMaps(c, g)[0]!;
}

export function expectedUniform(cap: SMaps, degrees: ArrayLike<number>, validCount: number): SMaps {
  let f = 0;
  let nodes = 0;
  for (let j = 0; j < degrees.length; j++) {
    const k = degrees[j]!;
    if (k > 0) nodes++;
    if (k >= 2) f += (k * (k - 1)) / (validCount * (validCount - 1));
  }
  const scale = (m: DMap): DMap => ({ h: m.h, w: m.w, data: m.data.map((x) => x * f) });
  return { sc: scale(cap.sc), dc: scale(cap.dc), nodes };
}

/** Fraction of the map's mass at 0 < |d|∞ ≤ r (NaN for an empty map). */
export function localFraction(m: DMap, r: number): number {
  const cy = m.h >> 1;
  const cx = m.w >> 1;
  let near = 0;
  let total = 0;
  for (let y = 0; y < m.h; y++)
    for (let x = 0; x < m.w; x++) {
      const v = m.data[y * m.w + x]!;
      total += v;
      const dy = Math.abs(y - cy),
        dx = Math.abs(x - cx);
      if ((dy || dx) && dy <= r && dx <= r) near += v;
    }
  return total > 0 ? near / total : NaN;
}

/**
 * Locality ratio (project measure, spec §4 "scalar locality" suggestion): fraction of
 * same-channel pairs with |d|∞ ≤ r divided by the same fraction under a null map.
 */
export function localityRatio(m: DMap, nullMap: DMap, r: number): number {
  return localFraction(m, r) / localFraction(nullMap, r);
}

/** Mean of the map over rings r = round(|d|₂), r = 0..rmax. */
export function radialProfile(m: DMap): Float64Array {
  const cy = m.h >> 1;
  const cx = m.w >> 1;
  const rmax = Math.round(Math.hypot(cy, cx));
  const sum = new Float64Array(rmax + 1);
  const cnt = new Float64Array(rmax + 1);
  for (let y = 0; y < m.h; y++)
    for (let x = 0; x < m.w; x++) {
      const r = Math.round(Math.hypot(y - cy, x - cx));
      sum[r]! += m.data[y * m.w + x]!;
      cnt[r]!++;
    }
  return sum.map((s, r) => (cnt[r]! ? s / cnt[r]! : 0));
}

/**
 * Radius at half maximum of a radial profile (r ≥ 1; r = 0 is the excluded self-pair
 * for S^sc): first radius past the maximum where the profile drops to half of it,
 * linearly interpolated. NaN if it never does.
 */
export function radiusAtHalfMax(profile: ArrayLike<number>): number {
  let rMax = 1;
  for (let r = 1; r < profile.length; r++) if (profile[r]! > profile[rMax]!) rMax = r;
  const half = profile[rMax]! / 2;
  if (!(half > 0)) return NaN;
  for (let r = rMax + 1; r < profile.length; r++) {
    const a = profile[r - 1]!,
      b = profile[r]!;
    if (b <= half) return r - 1 + (a - half) / (a - b);
  }
  return NaN;
}

export function normalizeMax(m: DMap): DMap {
  let mx = 0;
  for (const v of m.data) if (v > mx) mx = v;
  return { h: m.h, w: m.w, data: mx > 0 ? m.data.map((v) => v / mx) : m.data.slice() };
}
