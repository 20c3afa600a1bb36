import { tf } from '../tf.ts';
import type { NativeAddon } from './addon.ts';
import { isF32, sizeOf, vals, type NativeKernel, type TensorInfo } from './kernel-util.ts';
import { allocF32 } from './pool.ts';

// Must match the enums in native/elementwise.c.
const BIN_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 } as const;
const BC = {
  same: 0,
  aFullBScalar: 1,
  aScalarBFull: 2,
  aFullBRow: 3,
  aRowBFull: 4,
  aFullBCol: 5,
  aColBFull: 6,
} as const;
const UNARY_OPS = { Relu: 0, Step: 1, Neg: 2, Exp: 3, Log: 4, Sqrt: 5, Rsqrt: 6, Square: 7, Abs: 8, Relu6: 9 } as const;
const RED_OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;

/**
 * Below this many elements a same-shape JS loop is as fast as a native call
 * (~1 µs). Broadcasts always go native: tfjs-cpu's broadcast path does index
 * arithmetic per element and costs ~50 ns each.
 */
const MIN_NATIVE = 512;

/** Is `small` (after dropping leading 1s) equal to the trailing dims of `full`? */
function isTrailing(small: readonly number[], full: readonly number[]): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const tail = small.slice(s);
  if (tail.length > full.length) return false;
  const off = full.length - tail.length;
  return tail.every((d, i) => d === full[off + i]);
}

/** Is `small` equal to `full` with its last dim set to 1 (a per-row value)? */
function isColumn(small: readonly number[], full: readonly number[]): boolean {
  if (full.length < 2 || small.length !== full.length || small[small.length - 1] !== 1) return false;
  return small.slice(0, -1).every((d, i) => d === full[i]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function makeBinary(addon: NativeAddon, name: keyof typeof BIN_OPS, fallback: NativeKernel): NativeKernel {
  const op = BIN_OPS[name];
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { backend } = args;
    if (!isF32(backend, a, b)) return fallback(args);
    const sa = sizeOf(a.shape),
      sb = sizeOf(b.shape);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = sizeOf(outShape);
    if (n === 0 || (n < MIN_NATIVE && sameShape(a.shape, b.shape))) return fallback(args);
    let bc: number,
      c = 1;
    if (sa === n && sb === n && sameShape(a.shape, b.shape)) bc = BC.same;
    else if (sa === n && sb === 1) bc = BC.aFullBScalar;
    else if (sb === n && sa === 1) bc = BC.aScalarBFull;
    else if (sa === n && isTrailing(b.shape, outShape)) [bc, c] = [BC.aFullBRow, sb];
    else if (sb === n && isTrailing(a.shape, outShape)) [bc, c] = [BC.aRowBFull, sa];
    else if (sa === n && isColumn(b.shape, outShape)) [bc, c] = [BC.aFullBCol, outShape[outShape.length - 1]];
    else if (sb === n && isColumn(a.shape, outShape)) [bc, c] = [BC.aColBFull, outShape[outShape.length - 1]];
    else return fallback(args);
    const out = allocF32(n);
    addon.binary(op, bc, vals(backend, a), vals(backend, b), out, n, c);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

export function makeUnary(addon: NativeAddon, name: keyof typeof UNARY_OPS, fallback: NativeKernel): NativeKernel {
  const op = UNARY_OPS[name];
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { backend } = args;
    const n = sizeOf(x.shape);
    if (n < MIN_NATIVE || !isF32(backend, x)) return fallback(args);
    const alpha = name === 'Step' ? Number((args.attrs as { alpha?: number }).alpha ?? 0) : 0;
    const out = allocF32(n);
    addon.unary(op, vals(backend, x), out, n, alpha);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

export function makeReduce(addon: NativeAddon, name: keyof typeof RED_OPS, fallback: NativeKernel): NativeKernel {
  const op = RED_OPS[name];
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { backend } = args;
    // Max/Min name the axis attribute 'reductionIndices', Sum/Mean 'axis'.
    const attrs = args.attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
    const axis = attrs.axis ?? attrs.reductionIndices ?? null;
    const keepDims = attrs.keepDims;
    const total = sizeOf(x.shape);
    if (total < MIN_NATIVE || !isF32(backend, x) || x.shape.length === 0) return fallback(args);
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(axis as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0) return fallback(args);
    const leading = axes.every((ax, i) => ax === i);
    const trailing = axes.every((ax, i) => ax === r - axes.length + i);
    let mode: 0 | 1, n: number, c: number;
    if (trailing) [mode, n, c] = [1, sizeOf(x.shape.slice(0, r - axes.length)), sizeOf(x.shape.slice(r - axes.length))];
    else if (leading) [mode, n, c] = [0, sizeOf(x.shape.slice(0, axes.length)), sizeOf(x.shape.slice(axes.length))];
    else return fallback(args);
    if (n === 0 || c === 0) return fallback(args);
    const outLen = mode === 0 ? c : n;
    const out = allocF32(outLen);
    addon.reduce(op, mode, vals(backend, x), out, n, c);
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

export const BINARY_KERNELS = Object.keys(BIN_OPS) as (keyof typeof BIN_OPS)[];
export const UNARY_KERNELS = Object.keys(UNARY_OPS) as (keyof typeof UNARY_OPS)[];
export const REDUCE_KERNELS = Object.keys(RED_OPS) as (keyof typeof RED_OPS)[];
