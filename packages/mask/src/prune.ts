import { Rng } from '@imp/artifacts';

/**
 * One prunable layer: its weights W [fanIn, fanOut] row-major and biases b [fanOut], with the
 * current masks. Weights and biases are ranked together (spec §3.2: the authors concatenate
 * |W|⊙M and |b|⊙m and use one threshold per layer); index i < W.length is a weight, the rest
 * are biases, in that order, which is also the tie-break order.
 */
export interface PrunableLayer {
  l: number;
  fanIn: number;
  fanOut: number;
  w: Float32Array;
  b: Float32Array;
  mw: Uint8Array;
  mb: Uint8Array;
}

export interface LayerMask {
  l: number;
  mw: Uint8Array;
  mb: Uint8Array;
}

/** Number of entries (weights + biases) a layer keeps at density u: round(N·u). */
export function keepCount(n: number, density: number): number {
  return Math.round(n * density);
}

/** Cumulative unpruned fraction after k levels of pruning `fraction` of what remains (spec §3.2). */
export function scheduleDensity(fraction: number, level: number): number {
  return Math.pow(1 - fraction, level);
}

const size = (L: PrunableLayer) => L.w.length + L.b.length;
const scoreAt = (L: PrunableLayer, i: number) => {
  const nw = L.w.length;
  return i < nw ? (L.mw[i] ? Math.abs(L.w[i]!) : 0) : L.mb[i - nw] ? Math.abs(L.b[i - nw]!) : 0;
};
const aliveAt = (L: PrunableLayer, i: number) => (i < L.w.length ? L.mw[i] : L.mb[i - L.w.length]) !== 0;

function aliveCount(L: PrunableLayer): number {
  let n = 0;
  for (let i = 0; i < L.mw.length; i++) n += L.mw[i]! ? 1 : 0;
  for (let i = 0; i < L.mb.length; i++) n += L.mb[i]! ? 1 : 0;
  return n;
}

/**
 * Keeps exactly `keep` of the currently alive entries of the given layers, those of largest
 * magnitude; equal magnitudes are broken by position (layer order, then weights before biases,
 * then flat index: the earlier entry is kept). Pruned entries never come back, so a level's mask
 * is always a subset of the previous one. If fewer than `keep` entries are alive, all stay.
 *
 * Relation to the authors' rule (spec §3.2): they keep every entry with score ≥ the value at
 * ascending position floor(s_k·N), i.e. N − floor(s_k·N) = ceil(u_k·N) entries when there are no
 * ties (more when there are). We keep round(u_k·N) by explicit count, so per layer and level the
 * two differ by at most one entry (plus ties), and counts are exact and reproducible.
 */
export function magnitudeKeep(layers: PrunableLayer[], keep: number): LayerMask[] {
  const alive = layers.reduce((a, L) => a + aliveCount(L), 0);
  const out = layers.map((L) => ({ l: L.l, mw: new Uint8Array(L.mw.length), mb: new Uint8Array(L.mb.length) }));
  const set = (k: number, i: number) => {
    const L = layers[k]!;
    if (i < L.w.length) out[k]!.mw[i] = 1;
    else out[k]!.mb[i - L.w.length] = 1;
  };
  if (keep >= alive) {
    layers.forEach((L, k) => {
      out[k]!.mw.set(L.mw.map((v) => (v ? 1 : 0)));
      out[k]!.mb.set(L.mb.map((v) => (v ? 1 : 0)));
    });
    return out;
  }
  if (keep <= 0) return out;
  // Threshold = keep-th largest alive score, found by sorting the alive scores (typed-array sort).
  const scores = new Float32Array(alive);
  let p = 0;
  layers.forEach((L) => {
    for (let i = 0; i < size(L); i++) if (aliveAt(L, i)) scores[p++] = scoreAt(L, i);
  });
  scores.sort();
  const thr = scores[alive - keep]!;
  let above = 0;
  for (let i = alive - keep; i < alive; i++) if (scores[i]! > thr) above++;
  let tiesLeft = keep - above;
  layers.forEach((L, k) => {
    for (let i = 0; i < size(L); i++) {
      if (!aliveAt(L, i)) continue;
      const s = scoreAt(L, i);
      if (s > thr) set(k, i);
      else if (s === thr && tiesLeft > 0) {
        set(k, i);
        tiesLeft--;
      }
    }
  });
  return out;
}

/** Layer-wise magnitude pruning: each layer separately keeps round(N_l·density) entries. */
export function layerwiseMagnitude(layers: PrunableLayer[], density: number): LayerMask[] {
  return layers.map((L) => magnitudeKeep([L], keepCount(size(L), density))[0]!);
}

/**
 * Global magnitude pruning (open_lth's `sparse_global`): one ranking over all pruned layers,
 * keeping round(N_total·density) entries in total. Unlike open_lth, biases of pruned layers are
 * ranked too, so the same entries are prunable under every strategy (spec §1.1 masks biases).
 */
export function globalMagnitude(layers: PrunableLayer[], density: number): LayerMask[] {
  const total = layers.reduce((a, L) => a + size(L), 0);
  return magnitudeKeep(layers, keepCount(total, density));
}

/**
 * Random pruning at the layer-wise schedule's density: each layer keeps round(N_l·density)
 * entries drawn uniformly (seeded, one stream per layer) among its alive entries.
 */
export function randomPrune(layers: PrunableLayer[], density: number, seed: number): LayerMask[] {
  return layers.map((L) => {
    const idx: number[] = [];
    for (let i = 0; i < size(L); i++) if (aliveAt(L, i)) idx.push(i);
    const keep = Math.min(idx.length, keepCount(size(L), density));
    const rng = new Rng(seed, 1000 + L.l);
    // Partial Fisher-Yates: the first `keep` slots are a uniform sample without replacement.
    for (let i = 0; i < keep; i++) {
      const j = i + rng.int(idx.length - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    const mw = new Uint8Array(L.mw.length);
    const mb = new Uint8Array(L.mb.length);
    for (let i = 0; i < keep; i++) {
      const e = idx[i]!;
      if (e < L.w.length) mw[e] = 1;
      else mb[e - L.w.length] = 1;
    }
    return { l: L.l, mw, mb };
  });
}

/**
 * The authors' random sparse initialisation (spec §3.3 (2), option `init_sparsity`): every
 * weight of a pruned layer is kept independently with probability `density` (i.i.d.
 * Bernoulli, so the kept count is binomial, not fixed), every bias is kept. The previous
 * mask is ignored: each level is an independent sparse net, not a subset of the last one.
 * One Rng stream per (level, layer), so levels are independent draws.
 */
export function bernoulliMask(layers: PrunableLayer[], density: number, seed: number, level: number): LayerMask[] {
  return layers.map((L) => {
    const rng = new Rng(seed, 5000 + 100 * level + L.l);
    const mw = new Uint8Array(L.w.length);
    for (let i = 0; i < mw.length; i++) mw[i] = rng.next() < density ? 1 : 0;
    return { l: L.l, mw, mb: new Uint8Array(L.b.length).fill(1) };
  });
}

export interface LayerReport {
  layer: number;
  /** Kept fraction of weights and biases together. */
  density: number;
  weight_density: number;
  kept: number;
  size: number;
  nodes: number;
  /** Nodes with at least one incoming (weight) connection (spec §3.2 stop rule). */
  alive_nodes: number;
  alive_fraction: number;
}

export function layerReport(l: number, fanIn: number, fanOut: number, mw: Uint8Array, mb: Uint8Array): LayerReport {
  const incoming = new Uint8Array(fanOut);
  let kw = 0;
  for (let i = 0; i < fanIn; i++) {
    const base = i * fanOut;
    for (let j = 0; j < fanOut; j++)
      if (mw[base + j]) {
        kw++;
        incoming[j] = 1;
      }
  }
  let kb = 0;
  for (let j = 0; j < fanOut; j++) kb += mb[j] ? 1 : 0;
  let alive = 0;
  for (let j = 0; j < fanOut; j++) alive += incoming[j]!;
  const n = fanIn * fanOut + fanOut;
  return {
    layer: l,
    density: (kw + kb) / n,
    weight_density: kw / (fanIn * fanOut),
    kept: kw + kb,
    size: n,
    nodes: fanOut,
    alive_nodes: alive,
    alive_fraction: alive / fanOut,
  };
}

/** Spec §3.2: IMP stops once, in some pruned layer, at most stop_ratio of the nodes are alive. */
export function stopRuleFires(reports: LayerReport[], stopRatio: number): boolean {
  return reports.some((r) => r.alive_fraction <= stopRatio);
}
