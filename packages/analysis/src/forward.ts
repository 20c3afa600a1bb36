/**
 * Plain-TypeScript evaluation forward pass for node ablation (spec §4(g), (h)):
 * input normalisation → per layer BN(eval, stored running stats) → masked linear →
 * ReLU (none on the output layer). BN and normalisation are folded into the weights
 * so the inner loop skips zero inputs (ReLU outputs, black pixels) and pruned
 * weights (CSR rows), which is what makes evaluating ~20 ablations per level cheap.
 */
export interface LayerParams {
  W: Float32Array; // [fanIn, fanOut] row-major
  b: Float32Array;
  fanIn: number;
  fanOut: number;
  /** BN on the layer input. */
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  var: Float32Array;
  maskW?: Uint8Array;
  maskB?: Uint8Array;
}

export interface Normalization {
  offset: Float32Array;
  scale: Float32Array;
}

interface FoldedLayer {
  fanIn: number;
  fanOut: number;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  /** Folded bias: b⊙m_b + Σ_i δ_i W'_ij. */
  bias: Float64Array;
  /** Bias alone (b⊙m_b), the output of a node whose incoming column is zeroed. */
  rawBias: Float64Array;
  /** Dense copy of the folded weights when the layer is dense enough for contiguous loops to win. */
  dense: Float64Array | null;
  /** The same weights by output column, for affine(): transposed dense [fanOut, fanIn], or CSC. */
  denseT: Float64Array | null;
  colPtr: Int32Array;
  rowIdx: Int32Array;
  cvals: Float64Array;
}

/** Spec §1.1: ε = 1e-10 in the authors' BN. */
export const BN_EPS = 1e-10;

export class MaskedMlp {
  readonly layers: FoldedLayer[];

  constructor(layers: LayerParams[], norm: Normalization | null, eps = BN_EPS) {
    this.layers = layers.map((L, l) => fold(L, l === 0 ? norm : null, eps));
  }

  /** Pre-activations of layer 1 (bias included) for n samples of dim D. */
  firstLayer(x: ArrayLike<number>, n: number): Float64Array {
    return affineByColumns(this.layers[0]!, x, n);
  }

  /** Top-1 correct count from layer-1 pre-activations with `ablated` nodes' incoming columns zeroed. */
  correctFrom(z1: Float64Array, n: number, y: Int32Array, ablated?: Uint8Array): number {
    const L0 = this.layers[0]!;
    const h = new Float64Array(z1.length);
    for (let s = 0; s < n; s++) {
      const o = s * L0.fanOut;
      for (let j = 0; j < L0.fanOut; j++) {
        const v = ablated && ablated[j] ? L0.rawBias[j]! : z1[o + j]!;
        h[o + j] = v > 0 ? v : 0;
      }
    }
    let act: Float64Array = h;
    for (let l = 1; l < this.layers.length; l++) {
      act = affine(this.layers[l]!, act, n);
      if (l < this.layers.length - 1) for (let t = 0; t < act.length; t++) if (act[t]! < 0) act[t] = 0;
    }
    return countCorrect(act, this.layers[this.layers.length - 1]!.fanOut, n, y);
  }

  /**
   * Accuracies after removing order[0..s) for each s in `sizes` (ascending). The sets
   * are nested, so layer-2 pre-activations are updated incrementally: removing node j
   * changes h_j to ReLU(b_j) and adds (ReLU(b_j) − h_j)·W'_j,: to layer 2 — O(n·s·h2)
   * per curve instead of a full pass per size.
   */
  ablationCurve(
    z1: Float64Array,
    n: number,
    y: Int32Array,
    order: number[],
    sizes: number[],
    start: { h1: Float64Array; z2: Float64Array } = this.layer2Start(z1, n),
  ): number[] {
    const L0 = this.layers[0]!;
    const L1 = this.layers[1]!;
    const h1 = start.h1;
    // Every curve starts from the same layer-2 pre-activations: callers compute them once
    // (layer2Start) and each curve updates its own copy.
    const z2 = Float64Array.from(start.z2);
    const out: number[] = [];
    let done = 0;
    for (const s of sizes) {
      for (; done < Math.min(s, order.length); done++) {
        const j = order[done]!;
        const after = L0.rawBias[j]! > 0 ? L0.rawBias[j]! : 0;
        for (let t = 0; t < n; t++) {
          const d = after - h1[t * L0.fanOut + j]!;
          if (d === 0) continue;
          addRow(L1, j, d, z2, t * L1.fanOut);
        }
      }
      out.push(this.correctFromLayer2(z2, n, y) / n);
    }
    return out;
  }

  /** Layer-1 activations and layer-2 pre-activations with nothing removed (shared by ablation curves). */
  layer2Start(z1: Float64Array, n: number): { h1: Float64Array; z2: Float64Array } {
    const h1 = relu(z1);
    return { h1, z2: affine(this.layers[1]!, h1, n) };
  }

  private correctFromLayer2(z2: Float64Array, n: number, y: Int32Array): number {
    let act: Float64Array = z2;
    for (let l = 1; l < this.layers.length; l++) {
      if (l > 1) act = affine(this.layers[l]!, act, n);
      if (l < this.layers.length - 1) act = relu(act);
    }
    return countCorrect(act, this.layers[this.layers.length - 1]!.fanOut, n, y);
  }

  accuracy(x: ArrayLike<number>, y: Int32Array, n: number, ablated?: Uint8Array): number {
    return this.correctFrom(this.firstLayer(x, n), n, y, ablated) / n;
  }
}

function fold(L: LayerParams, norm: Normalization | null, eps: number): FoldedLayer {
  const { fanIn, fanOut } = L;
  // Input map h_i → α_i h_i + δ_i (normalisation then BN in eval mode).
  const alpha = new Float64Array(fanIn);
  const delta = new Float64Array(fanIn);
  for (let i = 0; i < fanIn; i++) {
    const a = L.gamma[i]! / Math.sqrt(L.var[i]! + eps);
    const s = norm ? norm.scale[i]! : 1;
    const off = norm ? norm.offset[i]! * s : 0;
    alpha[i] = s * a;
    delta[i] = L.beta[i]! - (off + L.mean[i]!) * a;
  }
  const rawBias = new Float64Array(fanOut);
  for (let j = 0; j < fanOut; j++) rawBias[j] = L.maskB && !L.maskB[j] ? 0 : L.b[j]!;
  const bias = Float64Array.from(rawBias);
  const rowPtr = new Int32Array(fanIn + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < fanIn; i++) {
    for (let j = 0; j < fanOut; j++) {
      const t = i * fanOut + j;
      if (L.maskW && !L.maskW[t]) continue;
      const w = L.W[t]!;
      if (w === 0) continue;
      bias[j]! += delta[i]! * w;
      cols.push(j);
      vals.push(alpha[i]! * w);
    }
    rowPtr[i + 1] = cols.length;
  }
  let dense: Float64Array | null = null;
  let denseT: Float64Array | null = null;
  if (vals.length > 0.2 * fanIn * fanOut) {
    dense = new Float64Array(fanIn * fanOut);
    denseT = new Float64Array(fanIn * fanOut);
    for (let i = 0; i < fanIn; i++)
      for (let t = rowPtr[i]!; t < rowPtr[i + 1]!; t++) {
        dense[i * fanOut + cols[t]!] = vals[t]!;
        denseT[cols[t]! * fanIn + i] = vals[t]!;
      }
  }
  // Column-major copy (rows ascending within a column, as they were added to each output).
  const colPtr = new Int32Array(fanOut + 1);
  for (const j of cols) colPtr[j + 1]!++;
  for (let j = 0; j < fanOut; j++) colPtr[j + 1]! += colPtr[j]!;
  const next = colPtr.slice(0, fanOut);
  const rowIdx = new Int32Array(cols.length);
  const cvals = new Float64Array(cols.length);
  for (let i = 0; i < fanIn; i++)
    for (let t = rowPtr[i]!; t < rowPtr[i + 1]!; t++) {
      const q = next[cols[t]!]!++;
      rowIdx[q] = i;
      cvals[q] = vals[t]!;
    }
  return {
    fanIn,
    fanOut,
    rowPtr,
    cols: Int32Array.from(cols),
    vals: Float64Array.from(vals),
    bias,
    rawBias,
    dense,
    denseT,
    colPtr,
    rowIdx,
    cvals,
  };
}

/**
 * x·W' + bias for the first layer, whose inputs (pixels) are rarely zero: see affine() for the
 * hidden layers, whose ReLU inputs are half zeros.
 */
function affineByColumns(L: FoldedLayer, x: ArrayLike<number>, n: number): Float64Array {
  const { fanIn, fanOut, bias, denseT, colPtr, rowIdx, cvals } = L;
  const out = new Float64Array(n * fanOut);
  // Four samples at a time, their inputs copied to Float64Arrays (monomorphic hot loops; rows
  // past n stay 0 and are not written out).
  const r0 = new Float64Array(fanIn);
  const r1 = new Float64Array(fanIn);
  const r2 = new Float64Array(fanIn);
  const r3 = new Float64Array(fanIn);
  const rows = [r0, r1, r2, r3];
  // Each output is a sum accumulated in a register over its column of W' (transposed dense or
  // CSC), terms in ascending input order, zero inputs skipped — exactly the additions of
  // affine()'s row-by-row scatter, so the same numbers, ~3× faster on pixel inputs. The four
  // samples' sums are independent chains the CPU overlaps (one chain is bound by the latency
  // of each addition). On ReLU inputs the per-term zero test mispredicts: affine() is faster.
  for (let s0 = 0; s0 < n; s0 += 4) {
    const m = Math.min(4, n - s0);
    for (let b = 0; b < 4; b++) {
      const r = rows[b]!;
      if (b < m) {
        const xi = (s0 + b) * fanIn;
        for (let i = 0; i < fanIn; i++) r[i] = x[xi + i]!;
      } else r.fill(0);
    }
    for (let j = 0; j < fanOut; j++) {
      let a0 = bias[j]!;
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      if (denseT) {
        const base = j * fanIn;
        for (let i = 0; i < fanIn; i++) {
          const w = denseT[base + i]!;
          let v = r0[i]!;
          if (v !== 0) a0 += v * w;
          v = r1[i]!;
          if (v !== 0) a1 += v * w;
          v = r2[i]!;
          if (v !== 0) a2 += v * w;
          v = r3[i]!;
          if (v !== 0) a3 += v * w;
        }
      } else {
        for (let t = colPtr[j]!, e = colPtr[j + 1]!; t < e; t++) {
          const i = rowIdx[t]!;
          const w = cvals[t]!;
          let v = r0[i]!;
          if (v !== 0) a0 += v * w;
          v = r1[i]!;
          if (v !== 0) a1 += v * w;
          v = r2[i]!;
          if (v !== 0) a2 += v * w;
          v = r3[i]!;
          if (v !== 0) a3 += v * w;
        }
      }
      const o = s0 * fanOut + j;
      out[o] = a0;
      if (m > 1) out[o + fanOut] = a1;
      if (m > 2) out[o + 2 * fanOut] = a2;
      if (m > 3) out[o + 3 * fanOut] = a3;
    }
  }
  return out;
}

/**
 * x·W' + bias, one sample at a time: per nonzero input i, its row of W' is added to the output
 * (zero inputs — half of a ReLU layer — cost one test). Terms reach each output in ascending i.
 */
function affine(L: FoldedLayer, x: ArrayLike<number>, n: number): Float64Array {
  const { fanIn, fanOut, rowPtr, cols, vals, bias, dense } = L;
  const out = new Float64Array(n * fanOut);
  // One sample's inputs copied to a Float64Array keeps the hot loops monomorphic.
  const row = new Float64Array(fanIn);
  for (let s = 0; s < n; s++) {
    const o = s * fanOut;
    out.set(bias, o);
    const xi = s * fanIn;
    for (let i = 0; i < fanIn; i++) row[i] = x[xi + i]!;
    if (dense) {
      for (let i = 0; i < fanIn; i++) {
        const v = row[i]!;
        if (v === 0) continue;
        const r = i * fanOut;
        for (let j = 0; j < fanOut; j++) out[o + j]! += v * dense[r + j]!;
      }
    } else {
      for (let i = 0; i < fanIn; i++) {
        const v = row[i]!;
        if (v === 0) continue;
        for (let t = rowPtr[i]!, e = rowPtr[i + 1]!; t < e; t++) out[o + cols[t]!]! += v * vals[t]!;
      }
    }
  }
  return out;
}

/** max(v, 0) elementwise into a new array (a plain loop: TypedArray.map's callback costs ~3×). */
function relu(a: Float64Array): Float64Array {
  const o = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    o[i] = v > 0 ? v : 0;
  }
  return o;
}

function addRow(L: FoldedLayer, i: number, d: number, out: Float64Array, o: number): void {
  if (L.dense) {
    const r = i * L.fanOut;
    for (let j = 0; j < L.fanOut; j++) out[o + j]! += d * L.dense[r + j]!;
  } else for (let t = L.rowPtr[i]!, e = L.rowPtr[i + 1]!; t < e; t++) out[o + L.cols[t]!]! += d * L.vals[t]!;
}

/** Top-1 hits; ties go to the lowest class index (argmax convention). */
function countCorrect(logits: Float64Array, K: number, n: number, y: Int32Array): number {
  let correct = 0;
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[s * K + k]! > logits[s * K + best]!) best = k;
    if (best === y[s]) correct++;
  }
  return correct;
}
