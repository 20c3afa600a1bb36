import { registerSparseLinear } from '../masked-linear.ts';
import type { NativeAddon } from './addon.ts';
import { NATIVE_BACKEND_NAME } from './names.ts';
import { allocF32, allocF32Zeroed } from './pool.ts';

/** CSR forward/backward of maskedLinear on the addon (threads: the addon's setting). */
export function registerNativeSparse(addon: NativeAddon): void {
  registerSparseLinear(NATIVE_BACKEND_NAME, {
    gather(w, m) {
      const wv = new Float32Array(m.nnz);
      addon.gather(w, m.csr!.flatIdx, wv, m.nnz); // ascending indices: a streaming read of W
      return wv;
    },
    forward(x, wv, bias, n, m) {
      const y = allocF32(n * m.outDim);
      const csc = m.csc!;
      // CSC order from the compact CSR values (random access in nnz floats, not in W).
      const wvCsc = new Float32Array(m.nnz);
      addon.gather(wv, csc.toCsr, wvCsc, m.nnz);
      addon.spmmFwdCsc(x, wvCsc, csc.colPtr, csc.rowIdx, bias ?? null, y, n, m.inDim, m.outDim, 0);
      return y;
    },
    backward(dy, x, wv, n, m) {
      const csr = m.csr!;
      const dx = allocF32(n * m.inDim);
      const dwv = new Float32Array(m.nnz);
      addon.spmmBwd(dy, x, wv, csr.rowPtr, csr.colIdx, dx, dwv, n, m.inDim, m.outDim, 0);
      // Dense dW (the optimizer updates the dense variable): zeros off the mask.
      const dw = allocF32Zeroed(m.inDim * m.outDim);
      addon.scatter(dwv, csr.flatIdx, dw, m.nnz);
      return { dx, dw };
    },
  });
}
