import type { MaskHandle } from '../mask-handle.ts';
import { registerSparseLinear } from '../masked-linear.ts';
import type { NativeAddon } from './addon.ts';
import { NATIVE_BACKEND_NAME } from './names.ts';
import { allocF32, allocF32Zeroed } from './pool.ts';

/** CSR forward/backward of maskedLinear on the addon (threads: the addon's setting). */
export function registerNativeSparse(addon: NativeAddon): void {
  const gatherW = (w: Float32Array, flatIdx: Int32Array, nnz: number): Float32Array => {
    const wv = new Float32Array(nnz);
    addon.gather(w, flatIdx, wv, nnz);
    return wv;
  };
  registerSparseLinear(NATIVE_BACKEND_NAME, {
    forward(x, w, bias, n, m) {
      const y = allocF32(n * m.outDim);
      const csc = m.csc!;
      addon.spmmFwdCsc(x, gatherW(w, csc.flatIdx, m.nnz), csc.colPtr, csc.rowIdx, bias ?? null, y, n, m.inDim, m.outDim, 0);
      return y;
    },
    backward(dy, x, w, n, m) {
      const csr = m.csr!;
      const dx = allocF32(n * m.inDim);
      const dwv = new Float32Array(m.nnz);
      addon.spmmBwd(dy, x, gatherW(w, csr.flatIdx, m.nnz), csr.rowPtr, csr.colIdx, dx, dwv, n, m.inDim, m.outDim, 0);
      // Dense dW (the optimizer updates the dense variable): zeros off the mask.
      const dw = allocF32Zeroed(m.inDim * m.outDim);
      addon.scatter(dwv, csr.flatIdx, dw, m.nnz);
      return { dx, dw };
    },
  });
}
