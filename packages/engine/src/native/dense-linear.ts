import type { MaskHandle } from '../mask-handle.ts';
import { registerDenseLinear } from '../masked-linear.ts';
import type { NativeAddon } from './addon.ts';
import { NATIVE_BACKEND_NAME } from './names.ts';
import { allocF32 } from './pool.ts';

// Enum values of native/elementwise.c.
const MUL = 2,
  ADD = 0,
  SAME = 0,
  A_FULL_B_ROW = 3,
  SUM = 0;

/**
 * Dense masked layer on the addon: W⊙M, the GEMMs and the bias/mask passes
 * run in place on pooled buffers, skipping tfjs' op dispatch and two
 * full-size temporaries per layer (bias-add output, unmasked dW).
 */
export function registerNativeDense(addon: NativeAddon): void {
  registerDenseLinear(NATIVE_BACKEND_NAME, {
    maskWeights(w: Float32Array, m: MaskHandle): Float32Array {
      const wm = allocF32(w.length);
      addon.binary(MUL, SAME, w, m.values, wm, w.length, 1);
      return wm;
    },
    forward(x, wm, bias, n, m) {
      const y = allocF32(n * m.outDim);
      addon.sgemm(0, 0, n, m.outDim, m.inDim, x, wm, y, 0, 0);
      if (bias) addon.binary(ADD, A_FULL_B_ROW, y, bias, y, n * m.outDim, m.outDim);
      return y;
    },
    backward(dy, x, wm, n, m) {
      const dx = allocF32(n * m.inDim);
      addon.sgemm(0, 1, n, m.inDim, m.outDim, dy, wm, dx, 0, 0);
      const dw = allocF32(m.inDim * m.outDim);
      addon.sgemm(1, 0, m.inDim, m.outDim, n, x, dy, dw, 0, 0);
      addon.binary(MUL, SAME, dw, m.values, dw, dw.length, 1);
      const db = new Float32Array(m.outDim);
      addon.reduce(SUM, 0, dy, db, n, m.outDim);
      return { dx, dw, db };
    },
  });
}
