// Public API of @imp/engine. Import `tf` from here, never from @tensorflow/*.
export { tf } from './tf.ts';
export type { EngineInfo, BackendChoice } from './engine-info.ts';
export { initEngine, engineInfo, type InitOptions } from './init-engine.ts';
export {
  prepareMask,
  type MaskHandle,
  type Csr,
  type Csc,
  SPARSE_DENSITY_THRESHOLD,
  setSparseThreshold,
} from './mask-handle.ts';
export { maskedLinear, applyMask } from './masked-linear.ts';
export { batchNormTrain, type BatchNormResult } from './batch-norm.ts';
export { Rng } from './rng.ts';
export { clearPool as releasePooledBuffers } from './native/pool.ts';
export { createFcn, fcnForward, fcnLoss, sgdStep, disposeFcn, type Fcn, type FcnLayer } from './reference-fcn.ts';
export { FusedFcn, fusedUnavailable, FUSED_THREADS, type FusedLayerValues, type FusedHyper } from './fused-fcn.ts';
