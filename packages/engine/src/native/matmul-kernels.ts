import { tf } from '../tf.ts';
import type { NativeAddon } from './addon.ts';
import { isF32, sizeOf, vals, type KernelArgs, type NativeKernel, type TensorInfo } from './kernel-util.ts';
import { allocF32 } from './pool.ts';

/**
 * BatchMatMul on OpenBLAS. Handles any rank with batch 1 or equal batch on
 * either side (all the trainer uses); other broadcasts go to the cpu kernel.
 * Returns undefined when it declines so the caller can fall back.
 */
function nativeMatMul(
  addon: NativeAddon,
  args: KernelArgs,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): { out: Float32Array; shape: number[] } | undefined {
  const { backend } = args;
  if (!isF32(backend, a, b) || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ar = a.shape.length,
    br = b.shape.length;
  const M = transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const K = transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  const K2 = transposeB ? b.shape[br - 1] : b.shape[br - 2];
  const N = transposeB ? b.shape[br - 2] : b.shape[br - 1];
  if (K !== K2) return undefined; // let the cpu kernel throw its usual message
  const batchA = sizeOf(a.shape.slice(0, -2)),
    batchB = sizeOf(b.shape.slice(0, -2));
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(outer);
  if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return undefined;
  const av = vals(backend, a),
    bv = vals(backend, b);
  const out = allocF32(batch * M * N);
  if (K === 0) return { out: out.fill(0), shape: [...outer, M, N] };
  for (let i = 0; i < batch; i++) {
    const as = batchA === 1 ? av : av.subarray(i * M * K, (i + 1) * M * K);
    const bs = batchB === 1 ? bv : bv.subarray(i * K * N, (i + 1) * K * N);
    const cs = batch === 1 ? out : out.subarray(i * M * N, (i + 1) * M * N);
    addon.sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, M, N, K, as, bs, cs, 0, 0);
  }
  return { out, shape: [...outer, M, N] };
}

export function makeBatchMatMul(addon: NativeAddon, fallback: NativeKernel): NativeKernel {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const r = nativeMatMul(addon, args, a, b, transposeA, transposeB);
    if (r === undefined) return fallback(args);
    return args.backend.makeTensorInfo(r.shape, 'float32', r.out);
  };
}

/**
 * _FusedMatMul (tf.fused.matMul): product, bias broadcast over rows and
 * linear/relu applied in place on the product buffer: one output allocation
 * and no intermediate tensors.
 */
export function makeFusedMatMul(addon: NativeAddon, fallback: NativeKernel): NativeKernel {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const { transposeA, transposeB, activation } = args.attrs as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: string;
    };
    const act = activation ?? 'linear';
    if (preluActivationWeights !== undefined || (act !== 'linear' && act !== 'relu')) return fallback(args);
    if (bias !== undefined && !isF32(args.backend, bias)) return fallback(args);
    const r = nativeMatMul(addon, args, a!, b!, transposeA, transposeB);
    if (r === undefined) return fallback(args);
    const N = r.shape[r.shape.length - 1];
    const y = r.out;
    if (bias !== undefined) {
      const bv = vals(args.backend, bias);
      const bs = sizeOf(bias.shape);
      if (bs === N && (bias.shape.length <= 1 || bias.shape.slice(0, -1).every((d) => d === 1))) {
        for (let i = 0; i < y.length; i += N) for (let j = 0; j < N; j++) y[i + j] += bv[j];
      } else if (bs === 1) {
        const c = bv[0];
        for (let i = 0; i < y.length; i++) y[i] += c;
      } else {
        return fallback(args);
      }
    }
    if (act === 'relu') for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) y[i] = y[i] !== y[i] ? y[i] : 0;
    return args.backend.makeTensorInfo(r.shape, 'float32', y);
  };
}
