import { tf } from '../tf.ts';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export type TensorInfo = tf.TensorInfo;
export type KernelArgs = {
  inputs: Record<string, TensorInfo | undefined>;
  backend: MathBackendCPU;
  attrs?: Record<string, unknown>;
};
export type NativeKernel = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** The stored values of a tensor (no copy; never mutate). */
export function vals(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/**
 * Values of a tensor on the active cpu-family backend, without the copy that
 * dataSync() makes for pooled arrays. Only for immediate, read-only use.
 */
export function tensorValues(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as MathBackendCPU;
  // A tensor created on another backend: let the engine read (and move) it.
  if (!backend.data.has(t.dataId)) return t.dataSync() as Float32Array;
  return backend.data.get(t.dataId).values as Float32Array;
}

export function isF32(backend: MathBackendCPU, ...ts: (TensorInfo | undefined)[]): boolean {
  for (const t of ts) {
    if (t === undefined) continue;
    if (t.dtype !== 'float32') return false;
    const v = backend.data.get(t.dataId).values;
    if (!(v instanceof Float32Array)) return false; // complex tensors keep no values
  }
  return true;
}

export function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}
