// Scoring of evaluation logits, shared by both training paths (no tfjs here).

export interface EvalResult {
  loss: number;
  top1: number;
  top5: number;
}

/** Adds cross-entropy and top-1/top-5 hits of a logits block; equal logits rank by class index, as argmax does. */
export function scoreLogits(
  logits: Float32Array,
  labels: Int32Array,
  from: number,
  count: number,
  classes: number,
  acc: { loss: number; c1: number; c5: number },
): void {
  for (let r = 0; r < count; r++) {
    const o = r * classes;
    const y = labels[from + r]!;
    const target = logits[o + y]!;
    let max = -Infinity;
    let above = 0;
    for (let k = 0; k < classes; k++) {
      const v = logits[o + k]!;
      if (v > max) max = v;
      if (v > target || (v === target && k < y)) above++;
    }
    let se = 0;
    for (let k = 0; k < classes; k++) se += Math.exp(logits[o + k]! - max);
    acc.loss += max + Math.log(se) - target;
    if (above === 0) acc.c1++;
    if (above < 5) acc.c5++;
  }
}
