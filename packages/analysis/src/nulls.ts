/**
 * Stricter null model for the locality ratio: keep every node's in-degree, but draw
 * its inputs (without replacement) with probability ∝ each input's total connection
 * count. This keeps the per-pixel connection map (e.g. a central blob, spec §5.2) and
 * removes only the co-location of a node's inputs, so a ratio > 1 against it means
 * locality beyond "everyone connects to the centre".
 */
import type { Rng } from '@imp/artifacts';
import { type Connectivity, emptyConnectivity } from './connectivity.ts';

/** Weighted sampling without replacement (successive sampling); weights ≥ 0. */
export function sampleWeighted(
  rng: Rng,
  cdf: Float64Array,
  weights: ArrayLike<number>,
  k: number,
  taken: Uint8Array,
  out: number[],
): void {
  const n = weights.length;
  const total = cdf[n - 1]!;
  out.length = 0;
  let support = 0;
  for (let i = 0; i < n; i++) if (weights[i]! > 0) support++;
  if (k > support) throw new Error(`cannot draw ${k} distinct inputs from ${support} with positive weight`);
  if (k === support) {
    for (let i = 0; i < n; i++) if (weights[i]! > 0) out.push(i);
    return;
  }
  if (k <= support / 4) {
    // Sparse: rejection of repeats is cheap and equivalent to successive sampling.
    while (out.length < k) {
      const u = rng.next() * total;
      let lo = 0,
        hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      if (!taken[lo] && weights[lo]! > 0) {
        taken[lo] = 1;
        out.push(lo);
      }
    }
  } else {
    // Dense: Efraimidis–Spirakis exponential keys; the k smallest keys form the sample
    // (a set, so a linear-time selection suffices, no full sort).
    const keys = new Float64Array(support);
    const ids = new Int32Array(support);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (w > 0) {
        keys[m] = -Math.log(1 - rng.next()) / w;
        ids[m++] = i;
      }
    }
    selectSmallest(keys, ids, k);
    for (let t = 0; t < k; t++) out.push(ids[t]!);
  }
  for (const p of out) taken[p] = 0;
}

/** One random connectivity with the given in-degrees and input weights. */
export function sampleDegreePreserving(rng: Rng, degrees: ArrayLike<number>, weights: ArrayLike<number>): Connectivity {
  const dim = weights.length;
  const c = emptyConnectivity(dim, degrees.length);
  const cdf = new Float64Array(dim);
  let acc = 0;
  for (let i = 0; i < dim; i++) cdf[i] = acc += weights[i]!;
  const taken = new Uint8Array(dim);
  const picked: number[] = [];
  for (let j = 0; j < degrees.length; j++) {
    sampleWeighted(rng, cdf, weights, degrees[j]!, taken, picked);
    for (const p of picked) c.bits[j * c.words + (p >>> 5)]! |= 1 << (p & 31);
  }
  return c;
}

/** Reorders keys/ids so that the k smallest keys come first (Hoare quickselect, middle pivot). */
function selectSmallest(keys: Float64Array, ids: Int32Array, k: number): void {
  let lo = 0,
    hi = keys.length - 1;
  while (lo < hi) {
    const pivot = keys[(lo + hi) >> 1]!;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (keys[i]! < pivot) i++;
      while (keys[j]! > pivot) j--;
      if (i <= j) {
        let t = keys[i]!;
        keys[i] = keys[j]!;
        keys[j] = t;
        t = ids[i]!;
        ids[i] = ids[j]!;
        ids[j] = t;
        i++;
        j--;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}
