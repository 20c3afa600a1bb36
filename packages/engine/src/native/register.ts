import { tf } from '../tf.ts';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadAddon, type NativeAddon } from './addon.ts';
import type { NativeKernel } from './kernel-util.ts';
import { isPooled, release, sharesPooledBuffer } from './pool.ts';
import { makeBatchMatMul, makeFusedMatMul } from './matmul-kernels.ts';
import {
  BINARY_KERNELS,
  REDUCE_KERNELS,
  UNARY_KERNELS,
  makeBinary,
  makeReduce,
  makeUnary,
} from './elementwise-kernels.ts';
import { registerNativeSparse } from './sparse-linear.ts';
import { registerNativeDense } from './dense-linear.ts';
import { NATIVE_BACKEND_NAME as NATIVE_BACKEND } from './names.ts';

/** The cpu backend with a native data path: same tensor storage, faster kernels. */
class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // Suppress the cpu backend's "install tfjs-node" banner: we are the fast path.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  // Pooled arrays are recycled on dispose, so callers get a private copy.
  override readSync(dataId: object): tf.backend_util.BackendValues {
    const v = super.readSync(dataId);
    return isPooled(v) ? v.slice() : v;
  }

  override disposeData(dataId: object, force = false): boolean {
    const entry = this.data.has(dataId) ? this.data.get(dataId) : undefined;
    const values = entry?.values;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && isPooled(values) && !this.data.has(dataId)) release(values);
    return released;
  }
}

/**
 * Wraps a tfjs-cpu kernel so that no output aliases a pooled array under a new
 * dataId (cpu Slice/Split/Unpack return subarray views of their input).
 * cpu kernels never allocate from the pool, so any output whose buffer is
 * pooled aliases an input and is copied. Reshape-like kernels return the
 * input's dataId itself, which refcounting already covers.
 */
function guardAliasing(kernel: NativeKernel): NativeKernel {
  return (args) => {
    const out = kernel(args);
    const outs = Array.isArray(out) ? out : [out];
    for (const o of outs) {
      if (Object.values(args.inputs).some((t) => t !== undefined && t.dataId === o.dataId)) continue;
      const d = args.backend.data.get(o.dataId);
      if (d !== undefined && sharesPooledBuffer(d.values)) {
        d.values = (d.values as unknown as Float32Array).slice();
      }
    }
    return out;
  };
}

let registered: { addon: NativeAddon } | undefined;

function overrides(addon: NativeAddon, cpu: (name: string) => NativeKernel): Record<string, NativeKernel> {
  const ours: Record<string, NativeKernel> = {
    BatchMatMul: makeBatchMatMul(addon, cpu('BatchMatMul')),
    _FusedMatMul: makeFusedMatMul(addon, cpu('_FusedMatMul')),
  };
  for (const k of BINARY_KERNELS) ours[k] = makeBinary(addon, k, cpu(k));
  for (const k of UNARY_KERNELS) ours[k] = makeUnary(addon, k, cpu(k));
  for (const k of REDUCE_KERNELS) ours[k] = makeReduce(addon, k, cpu(k));
  return ours;
}

/**
 * Loads the addon (throws a one-line reason if it is missing), registers the
 * 'native' backend once, and applies the thread count.
 */
export function setupNativeBackend(threads: number): { blas: string; threads: number; simd: boolean } {
  const addon = registered?.addon ?? loadAddon();
  addon.setThreads(threads);
  if (registered === undefined) {
    const cpuKernels = tf.getKernelsForBackend('cpu');
    const byName = new Map(cpuKernels.map((k) => [k.kernelName, k.kernelFunc as unknown as NativeKernel]));
    // Fallbacks of our kernels are cpu kernels too: guarded the same way.
    const cpu = (name: string): NativeKernel => {
      const k = byName.get(name);
      if (k === undefined) throw new Error(`cpu kernel ${name} missing`);
      return guardAliasing(k);
    };
    const ours = overrides(addon, cpu);
    for (const k of cpuKernels) {
      const ourKernel = ours[k.kernelName];
      const kernelFunc = (ourKernel ??
        guardAliasing(k.kernelFunc as unknown as NativeKernel)) as unknown as tf.KernelFunc;
      tf.registerKernel({ ...k, backendName: NATIVE_BACKEND, kernelFunc });
    }
    // Priority below cpu's 1: tfjs must never pick 'native' on its own;
    // only initEngine() selects it.
    tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
    registerNativeSparse(addon);
    registerNativeDense(addon);
    registered = { addon };
  }
  const info = addon.info();
  return { blas: info.blas.trim(), threads, simd: info.simd !== '' };
}

export function nativeAddon(): NativeAddon | undefined {
  return registered?.addon;
}
