import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The C functions of build/Release/imp_engine.node (see native/addon.c). */
export interface NativeAddon {
  setThreads(n: number): void;
  info(): { blas: string; threads: number; cores: number; simd: string };
  sgemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    beta: number,
    threads: number,
  ): void;
  spmmFwdCsc(
    x: Float32Array,
    wv: Float32Array,
    colPtr: Int32Array,
    rowIdx: Int32Array,
    bias: Float32Array | null,
    y: Float32Array,
    n: number,
    inDim: number,
    outDim: number,
    threads: number,
  ): void;
  spmmBwd(
    dy: Float32Array,
    x: Float32Array,
    wv: Float32Array,
    rowPtr: Int32Array,
    col: Int32Array,
    dx: Float32Array,
    dwv: Float32Array,
    n: number,
    inDim: number,
    outDim: number,
    threads: number,
  ): void;
  bnFwd(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    eps: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    invstd: Float32Array,
    n: number,
    c: number,
    threads: number,
  ): void;
  bnBwd(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array | null,
    mean: Float32Array,
    invstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    n: number,
    c: number,
    threads: number,
  ): void;
  /** out = a ∘ b; op/bc: enums of native/elementwise.c; c = row length for row/column broadcasts. */
  binary(op: number, bc: number, a: Float32Array, b: Float32Array, out: Float32Array, n: number, c: number): void;
  unary(op: number, x: Float32Array, out: Float32Array, n: number, alpha: number): void;
  /** Reduce [n, c] over axis 0 (out: c) or 1 (out: n). */
  reduce(op: number, axis: 0 | 1, x: Float32Array, out: Float32Array, n: number, c: number): void;
  gather(src: Float32Array, idx: Int32Array, dst: Float32Array, n: number): void;
  scatter(src: Float32Array, idx: Int32Array, dst: Float32Array, n: number): void;
  /** A file as a read-only mapped ArrayBuffer (native/rows.c); absent in older builds. */
  mapFile?(path: string): ArrayBuffer;
  /** out[r, d] = (x[idx[r], d] − offset[d]) · scale[d] for r < count (native/rows.c). */
  gatherNorm?(
    x: Uint8Array | Float32Array,
    offset: Float32Array,
    scale: Float32Array,
    idx: Int32Array,
    count: number,
    dim: number,
    out: Float32Array,
  ): void;
  /** Fused FCN step/eval over one arena (native/fused_fcn.c); absent in addons built before it. */
  fcnRun?(
    arena: Float32Array,
    iarena: Int32Array | null,
    layout: Int32Array,
    labels: Int32Array | null,
    hyper: Float64Array,
    mode: number,
    threads?: number,
  ): number;
}

const PKG_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** IMP_ENGINE_ADDON_PATH overrides where the addon is looked for (tests point it nowhere). */
export function addonPath(): string {
  return process.env.IMP_ENGINE_ADDON_PATH || path.join(PKG_ROOT, 'build', 'Release', 'imp_engine.node');
}

let cached: NativeAddon | undefined;

/** Loads the addon or throws a one-line reason. */
export function loadAddon(): NativeAddon {
  const p = addonPath();
  if (cached !== undefined && !process.env.IMP_ENGINE_ADDON_PATH) return cached;
  if (!existsSync(p)) {
    throw new Error(`addon not built (${p} missing; run: npm run build:addon -w @imp/engine, needs libopenblas-dev)`);
  }
  const addon = createRequire(import.meta.url)(p) as NativeAddon;
  if (typeof addon.sgemm !== 'function') throw new Error(`${p} is not the @imp/engine addon`);
  cached = addon;
  return addon;
}
