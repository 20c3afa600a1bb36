// Public API of @imp/engine. Import `tf` from here, never from @tensorflow/*.
// Importing this index loads tfjs; code that must start without it (the fused training path)
// imports the tfjs-free modules directly: @imp/engine/fused-fcn, fused-engine, fcn-values, rows.
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
export { clearPool as releasePooledBuffers } from './native/pool.ts';
export { createFcn, fcnForward, fcnLoss, sgdStep, disposeFcn, type Fcn, type FcnLayer } from './reference-fcn.ts';
export { FusedFcn, fusedThreadsFor, FUSED_MT_MIN_MACS, type FusedHyper } from './fused-fcn.ts';
export { fusedEngine, fusedUnavailable } from './fused-engine.ts';
export { fcnDims, hasRunningStats, maskedStart, type FcnLayerValues } from './fcn-values.ts';
export { buildCsr, buildCsc } from './sparse-index.ts';
export { gatherRows, readFileBytes } from './rows.ts';
