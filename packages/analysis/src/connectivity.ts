/**
 * Node connectivity as per-node bitsets over input units (spec §4(a)): node j of
 * layer ℓ is connected to pixel p iff (M1·M2⋯Mℓ)[p, j] ≠ 0. Bitsets make the
 * boolean product cheap (one OR of fan_in/32 words per surviving mask entry).
 */
export interface Connectivity {
  /** Number of input units (pixels × channels). */
  dim: number;
  nodes: number;
  /** Uint32 words per node. */
  words: number;
  /** Node-major bitsets: node j owns bits[j*words .. (j+1)*words). */
  bits: Uint32Array;
}

export function emptyConnectivity(dim: number, nodes: number): Connectivity {
  const words = Math.ceil(dim / 32);
  return { dim, nodes, words, bits: new Uint32Array(words * nodes) };
}

/** Layer-1 connectivity from a [fanIn, fanOut] row-major 0/1 mask (column j = node j). */
export function connectivityFromMask(mask: Uint8Array, fanIn: number, fanOut: number): Connectivity {
  const c = emptyConnectivity(fanIn, fanOut);
  const { words, bits } = c;
  for (let p = 0; p < fanIn; p++) {
    const row = p * fanOut;
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    for (let j = 0; j < fanOut; j++) if (mask[row + j]) bits[j * words + w]! |= bit;
  }
  return c;
}

/** Effective connectivity of the next layer: column j = OR of prev nodes i with mask[i, j] = 1. */
export function composeConnectivity(prev: Connectivity, mask: Uint8Array, fanIn: number, fanOut: number): Connectivity {
  if (prev.nodes !== fanIn) throw new Error(`compose: previous layer has ${prev.nodes} nodes, mask fan_in is ${fanIn}`);
  const c = emptyConnectivity(prev.dim, fanOut);
  const { words } = c;
  const src = prev.bits;
  const dst = c.bits;
  for (let i = 0; i < fanIn; i++) {
    const row = i * fanOut;
    const s = i * words;
    let empty = true;
    for (let w = 0; w < words; w++)
      if (src[s + w]) {
        empty = false;
        break;
      }
    if (empty) continue;
    for (let j = 0; j < fanOut; j++) {
      if (!mask[row + j]) continue;
      const d = j * words;
      for (let w = 0; w < words; w++) dst[d + w]! |= src[s + w]!;
    }
  }
  return c;
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** C^in (spec §4(b)): connected inputs per node, optionally counting only `valid` inputs. */
export function inDegrees(c: Connectivity, valid?: Uint8Array): Int32Array {
  const out = new Int32Array(c.nodes);
  const vb = valid ? validBits(valid, c.words) : null;
  for (let j = 0; j < c.nodes; j++) {
    let s = 0;
    const o = j * c.words;
    for (let w = 0; w < c.words; w++) s += popcount(vb ? c.bits[o + w]! & vb[w]! : c.bits[o + w]!);
    out[j] = s;
  }
  return out;
}

export function validBits(valid: Uint8Array, words: number): Uint32Array {
  const vb = new Uint32Array(words);
  for (let p = 0; p < valid.length; p++) if (valid[p]) vb[p >>> 5]! |= 1 << (p & 31);
  return vb;
}

/** Per-input connection count Σ_j C[p, j] ≠ 0 (spec §4(e), per-pixel connection map). */
export function pixelCounts(c: Connectivity): Int32Array {
  const out = new Int32Array(c.dim);
  for (let j = 0; j < c.nodes; j++) forEachBit(c, j, (p) => void out[p]!++);
  return out;
}

export function forEachBit(c: Connectivity, node: number, fn: (p: number) => void): void {
  const o = node * c.words;
  for (let w = 0; w < c.words; w++) {
    let v = c.bits[o + w]!;
    while (v !== 0) {
      const t = v & -v;
      fn((w << 5) + (31 - Math.clz32(t)));
      v ^= t;
    }
  }
}

export function hasBit(c: Connectivity, node: number, p: number): boolean {
  return (c.bits[node * c.words + (p >>> 5)]! & (1 << (p & 31))) !== 0;
}

/**
 * Moves inputs to the original pixel space. `origOf[i]` = original pixel index of
 * stored input i (stored x[i] = original x[origOf[i]]).
 */
export function remapInputs(c: Connectivity, origOf: ArrayLike<number>): Connectivity {
  const out = emptyConnectivity(c.dim, c.nodes);
  for (let j = 0; j < c.nodes; j++)
    forEachBit(c, j, (p) => {
      const q = origOf[p]!;
      out.bits[j * c.words + (q >>> 5)]! |= 1 << (q & 31);
    });
  return out;
}

/** Connectivity of the given nodes only (mask grids, ablation helpers). */
export function nodeImage(c: Connectivity, node: number): Uint8Array {
  const img = new Uint8Array(c.dim);
  forEachBit(c, node, (p) => (img[p] = 1));
  return img;
}
