// No tfjs in this module (nor in what it imports): a train process on the fused path never loads it.
import { loadAddon, type NativeAddon } from './native/addon.ts';
import { buildCsc, buildCsr } from './sparse-index.ts';
import { fcnDims, hasRunningStats, maskedStart, type FcnLayerValues } from './fcn-values.ts';

export { fusedUnavailable } from './fused-engine.ts';

export interface FusedHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
  eps: number;
  bnDecay: number;
}

// Field order of native/fused_fcn.h.
const F = {
  W: 0,
  B: 1,
  G: 2,
  BETA: 3,
  EMAM: 4,
  EMAV: 5,
  MW: 6,
  MB: 7,
  VW: 8,
  VB: 9,
  VG: 10,
  VBETA: 11,
  H: 12,
  Y: 13,
  MEAN: 14,
  VAR: 15,
  INVSTD: 16,
  Z: 17,
  DW: 18,
  DB: 19,
  DG: 20,
  DBETA: 21,
  DZ: 22,
  DY: 23,
  WV: 24,
  WVC: 25,
  DWV: 26,
} as const;
const NF = 27;
const NI = 6; // int fields per layer: rowPtr, colIdx, flatIdx (CSR), colPtr, rowIdx, toCsr (CSC)

/**
 * Mask density below which a layer's products run on CSR/CSC inside the fused step. Measured at
 * 784-300-100-10, batch 100, 1 thread, with the IMP masks of a natural-patches-clone chain (all
 * layers at the level's density u), CPU ms per step, two interleaved runs each:
 *
 * | u | CSR | dense, OpenBLAS Haswell kernels | dense, Cooperlake (AVX-512) kernels |
 * |---|---|---|---|
 * | 0.49 | 1.75 | ~1.8 | 1.11 |
 * | 0.34 | 1.20 | 1.82 | 1.07 |
 * | 0.24 | 0.87 | 1.81 | 1.10 |
 * | 0.08 | 0.40 | 1.80 | 1.16 |
 * | 0.04 | 0.29 | – | 1.10 |
 *
 * OpenBLAS picks Cooperlake here by itself; this machine's environment sets
 * OPENBLAS_CORETYPE=Haswell (torch gets the same). The crossover is ≈ 0.45 with Haswell kernels
 * and ≈ 0.3 with AVX-512 ones; 0.4 puts IMP's 0.7^k levels (…, 0.49, 0.34, 0.24, …) on the
 * faster side for Haswell and costs ~0.1 ms/step at u = 0.34 with AVX-512.
 */
export const FUSED_SPARSE_THRESHOLD = 0.4;

/**
 * Products of at least this many multiply-adds run on two threads (gemm.c's measured bound).
 * LeNet-sized nets stay on one thread: notes §8 (PyTorch 3.4 ms on one thread, 11.8 on two) and
 * the fused 784-300-100-10 batch-100 step, 2.0 CPU ms on one thread vs 2.6 on two (interleaved,
 * machine loaded), where each product is ~24M multiply-adds. The 3072-1024-1024-1024 net at batch
 * 1000 (3.1G multiply-adds in its first layer) runs its tfjs step in 206 ms on two threads and
 * 348 ms on one (README, bench:engine).
 */
export const FUSED_MT_MIN_MACS = 64 * 1024 * 1024;

/**
 * The fused step's thread rule, by problem size: 2 threads (at most `available`) when the largest
 * layer product batch·fanIn·fanOut reaches FUSED_MT_MIN_MACS, else 1. Results are reproducible for
 * a given thread count; the count depends only on the sizes (and IMP_THREADS=1).
 */
export function fusedThreadsFor(dims: readonly number[], batch: number, available = 2): number {
  let most = 0;
  for (let l = 0; l + 1 < dims.length; l++) most = Math.max(most, batch * dims[l]! * dims[l + 1]!);
  return most >= FUSED_MT_MIN_MACS ? Math.max(1, Math.min(2, available)) : 1;
}

/**
 * The spec §1.1 FCN trained by one native call per step (forward, backward, SGD update) over one
 * float arena allocated here once: parameters, momenta, running stats, activations and gradients.
 * Tensor names and values follow train's Net/Optimizer export, so checkpoints interchange.
 */
export class FusedFcn {
  private readonly addon: NativeAddon;
  private readonly arena: Float32Array;
  private readonly iarena: Int32Array | null;
  private readonly trainLayout: Int32Array;
  private readonly evalLayout: Int32Array;
  private readonly hyper: Float64Array;
  private readonly names = new Map<string, { off: number; shape: number[] }>();
  private readonly dims: number[];
  private readonly hasMomentum: boolean;
  emaReady: boolean;

  constructor(
    private readonly values: FcnLayerValues[],
    readonly batch: number,
    readonly evalBatch: number,
    hyper: FusedHyper,
    sparseThreshold = FUSED_SPARSE_THRESHOLD,
    /** Threads of the big products (fusedThreadsFor); results are reproducible for a given count. */
    readonly threads = 1,
  ) {
    this.addon = loadAddon();
    if (typeof this.addon.fcnRun !== 'function') throw new Error('addon built without fcnRun');
    this.hasMomentum = hyper.momentum > 0;
    this.hyper = Float64Array.of(hyper.lr, hyper.momentum, hyper.weightDecay, hyper.eps, hyper.bnDecay);
    this.dims = fcnDims(values);
    this.emaReady = hasRunningStats(values);
    let size = 0;
    const alloc = (len: number) => {
      const o = size;
      size += (len + 15) & ~15; // 64-byte aligned slices
      return o;
    };
    const L = values.length;
    const mk = (n: number) => {
      const lay = new Int32Array(2 + L + 1 + NF * L + NI * L).fill(-1);
      lay[0] = L;
      lay[1] = n;
      this.dims.forEach((d, i) => (lay[2 + i] = d));
      return lay;
    };
    this.trainLayout = mk(batch);
    this.evalLayout = mk(evalBatch);
    const base = 2 + L + 1;
    const ibase = base + NF * L;
    const ints: Int32Array[] = [];
    let isize = 0;
    values.forEach((v, l) => {
      const set = (f: number, o: number, both = true) => {
        this.trainLayout[base + l * NF + f] = o;
        if (both) this.evalLayout[base + l * NF + f] = o;
      };
      const named = (name: string, f: number, shape: number[]) => {
        const o = alloc(shape.reduce((a, b) => a * b, 1));
        set(f, o);
        this.names.set(name, { off: o, shape });
      };
      const i = v.fanIn;
      const o = v.fanOut;
      named(`W${v.l}`, F.W, [i, o]);
      named(`b${v.l}`, F.B, [o]);
      named(`bn${v.l}.gamma`, F.G, [i]);
      named(`bn${v.l}.beta`, F.BETA, [i]);
      named(`bn${v.l}.mean`, F.EMAM, [i]);
      named(`bn${v.l}.var`, F.EMAV, [i]);
      if (v.mw) set(F.MW, alloc(i * o));
      let nnz = 0;
      if (v.mw) for (let k = 0; k < v.mw.length; k++) nnz += v.mw[k] ? 1 : 0;
      if (v.mw && nnz < sparseThreshold * i * o) {
        const csr = buildCsr(v.mw, i, o);
        const csc = buildCsc(v.mw, i, o);
        [csr.rowPtr, csr.colIdx, csr.flatIdx, csc.colPtr, csc.rowIdx, csc.toCsr].forEach((a, f) => {
          for (const lay of [this.trainLayout, this.evalLayout]) lay[ibase + l * NI + f] = isize;
          ints.push(Int32Array.from(a));
          isize += a.length;
        });
        for (const f of [F.WV, F.WVC]) set(f, alloc(Math.max(nnz, 1)));
        this.trainLayout[base + l * NF + F.DWV] = alloc(Math.max(nnz, 1));
      }
      if (v.mb) set(F.MB, alloc(o));
      if (this.hasMomentum) {
        named(`opt.W${v.l}.0`, F.VW, [i, o]);
        named(`opt.b${v.l}.0`, F.VB, [o]);
        named(`opt.bn${v.l}.gamma.0`, F.VG, [i]);
        named(`opt.bn${v.l}.beta.0`, F.VBETA, [i]);
      }
      for (const f of [F.MEAN, F.VAR, F.INVSTD]) set(f, alloc(i));
      for (const [f, len] of [
        [F.DW, i * o],
        [F.DB, o],
        [F.DG, i],
        [F.DBETA, i],
      ] as const)
        this.trainLayout[base + l * NF + f] = alloc(len);
      for (const [lay, n] of [
        [this.trainLayout, batch],
        [this.evalLayout, evalBatch],
      ] as const) {
        lay[base + l * NF + F.H] = alloc(n * i);
        lay[base + l * NF + F.Y] = alloc(n * i);
        lay[base + l * NF + F.Z] = alloc(n * o);
        if (lay === this.trainLayout) {
          lay[base + l * NF + F.DZ] = alloc(n * o);
          lay[base + l * NF + F.DY] = alloc(n * i);
        }
      }
    });
    this.arena = new Float32Array(size);
    this.iarena = isize > 0 ? new Int32Array(isize) : null;
    let ip = 0;
    for (const a of ints) {
      this.iarena!.set(a, ip);
      ip += a.length;
    }
    values.forEach((v, l) => {
      const at = (f: number) => this.trainLayout[base + l * NF + f]!;
      const put = (f: number, d: ArrayLike<number>) => this.arena.set(d, at(f));
      // Masked weights/biases start at exactly 0 (as train's model.ts) and their gradients are masked.
      const { w, b } = maskedStart(v);
      put(F.W, w);
      put(F.B, b);
      put(F.G, v.gamma);
      put(F.BETA, v.beta);
      put(F.EMAM, v.mean ?? new Float32Array(v.fanIn));
      put(F.EMAV, v.variance ?? new Float32Array(v.fanIn).fill(1));
      if (v.mw) put(F.MW, v.mw);
      if (v.mb) put(F.MB, v.mb);
    });
  }

  private view(lay: Int32Array, l: number, f: number, len: number): Float32Array {
    const o = lay[2 + this.values.length + 1 + l * NF + f]!;
    return this.arena.subarray(o, o + len);
  }

  /** The training batch's input rows [batch, d0]: fill it (normalised), then call step(). */
  input(): Float32Array {
    return this.view(this.trainLayout, 0, F.H, this.batch * this.dims[0]!);
  }

  /** Evaluation input rows [evalBatch, d0]. */
  evalInput(): Float32Array {
    return this.view(this.evalLayout, 0, F.H, this.evalBatch * this.dims[0]!);
  }

  /** spec §1.1: the running stats start at the first batch's moments (forward only, no update). */
  setEmaFromBatch(): void {
    this.addon.fcnRun!(this.arena, this.iarena, this.trainLayout, null, this.hyper, 1, this.threads);
    this.emaReady = true;
  }

  /** One SGD step on input(); returns the batch's mean cross-entropy. */
  step(labels: Int32Array): number {
    if (labels.length < this.batch) throw new Error(`step: ${labels.length} labels for batch ${this.batch}`);
    return this.addon.fcnRun!(this.arena, this.iarena, this.trainLayout, labels, this.hyper, 0, this.threads);
  }

  /** Eval-mode forward (running stats) of evalInput(); returns a view of the logits [evalBatch, classes]. */
  evalLogits(): Float32Array {
    this.addon.fcnRun!(this.arena, this.iarena, this.evalLayout, null, this.hyper, 2, this.threads);
    const L = this.values.length;
    return this.view(this.evalLayout, L - 1, F.Z, this.evalBatch * this.dims[L]!);
  }

  /** Parameters in model.ts' export order (copies). */
  exportParams(): { name: string; shape: number[]; data: Float32Array }[] {
    return this.values.flatMap((v) =>
      ['W', 'b', 'bn.gamma', 'bn.beta', 'bn.mean', 'bn.var'].map((k) =>
        this.tensor(k.startsWith('bn') ? `bn${v.l}${k.slice(2)}` : `${k}${v.l}`),
      ),
    );
  }

  /** Momentum slots in optimizer.ts' export order (copies); empty without momentum. */
  exportOptimizer(): { name: string; shape: number[]; data: Float32Array }[] {
    if (!this.hasMomentum) return [];
    return this.values.flatMap((v) =>
      [`W${v.l}`, `b${v.l}`, `bn${v.l}.gamma`, `bn${v.l}.beta`].map((n) => this.tensor(`opt.${n}.0`)),
    );
  }

  private tensor(name: string): { name: string; shape: number[]; data: Float32Array } {
    const t = this.names.get(name)!;
    const len = t.shape.reduce((a, b) => a * b, 1);
    return { name, shape: t.shape, data: this.arena.slice(t.off, t.off + len) };
  }

  /** Restores every tensor of exportParams()/exportOptimizer() (a checkpoint). */
  import(t: Map<string, Float32Array>): void {
    for (const [name, { off, shape }] of this.names) {
      const len = shape.reduce((a, b) => a * b, 1);
      const d = t.get(name);
      if (!d || d.length !== len) throw new Error(`checkpoint lacks tensor '${name}' of ${len} values`);
      this.arena.set(d, off);
    }
  }

  /** Masked weights/biases that are not exactly zero (must stay 0: self-check). */
  maskedNonZero(): number {
    let bad = 0;
    this.values.forEach((v, l) => {
      for (const [m, f] of [
        [v.mw, F.W],
        [v.mb, F.B],
      ] as const) {
        if (!m) continue;
        const p = this.view(this.trainLayout, l, f, m.length);
        for (let k = 0; k < m.length; k++) if (!m[k] && p[k] !== 0) bad++;
      }
    });
    return bad;
  }
}
