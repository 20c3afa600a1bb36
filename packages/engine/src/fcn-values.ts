// The starting values of the spec §1.1 FCN, shared by train's tfjs model (packages/train
// model.ts) and the fused native step (fused-fcn.ts), so both begin from the same tensors.
// No tfjs here.

/** Initial values of one layer: BN(fanIn) → Linear fanIn→fanOut (masked if mw is given). */
export interface FcnLayerValues {
  /** 1-based layer number (tensor names W{l}, b{l}, bn{l}.*). */
  l: number;
  fanIn: number;
  fanOut: number;
  w: Float32Array;
  b: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  /** BN running statistics; absent: set from the first training batch (spec §1.1). */
  mean?: Float32Array;
  variance?: Float32Array;
  /** 0/1 masks of W [fanIn, fanOut] and b [fanOut]; absent: dense. */
  mw?: Uint8Array;
  mb?: Uint8Array;
}

/** Layer widths d0..dL of a net given by its layers' values. */
export const fcnDims = (values: readonly FcnLayerValues[]): number[] => [
  values[0]!.fanIn,
  ...values.map((v) => v.fanOut),
];

/** True when every layer carries BN running statistics (else the first batch sets them). */
export const hasRunningStats = (values: readonly FcnLayerValues[]): boolean =>
  values.every((v) => v.mean && v.variance);

/**
 * Copies of W and b with masked entries set to exactly 0: both training paths zero them once
 * and give them zero gradient, so they stay 0 under SGD, momentum, weight decay and Adam.
 */
export function maskedStart(v: FcnLayerValues): { w: Float32Array; b: Float32Array } {
  const w = Float32Array.from(v.w);
  const b = Float32Array.from(v.b);
  if (v.mw) for (let i = 0; i < w.length; i++) if (!v.mw[i]) w[i] = 0;
  if (v.mb) for (let i = 0; i < b.length; i++) if (!v.mb[i]) b[i] = 0;
  return { w, b };
}
