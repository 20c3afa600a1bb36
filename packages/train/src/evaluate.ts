import { tf } from '@imp/engine';
import { gatherRows } from './batches.ts';
import type { Net } from './model.ts';
import type { LoadedDataset, Split } from './dataset-io.ts';

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

/** Evaluation-mode pass (BN running averages) over the first n rows of a split. */
export function evaluate(
  net: Net,
  ds: LoadedDataset,
  split: Split,
  n: number,
  batch: number,
  buf: Float32Array,
  idx: Int32Array,
): EvalResult {
  const acc = { loss: 0, c1: 0, c5: 0 };
  for (let from = 0; from < n; from += batch) {
    const count = Math.min(batch, n - from);
    for (let i = 0; i < count; i++) idx[i] = from + i;
    gatherRows(split.x, ds.dim, ds.offset, ds.scale, idx, count, buf);
    const logits = tf.tidy(() => {
      const x = tf.tensor2d(buf.subarray(0, count * ds.dim), [count, ds.dim]);
      return net.forwardEval(x).dataSync() as Float32Array;
    });
    scoreLogits(logits, split.y, from, count, ds.numClasses, acc);
  }
  return { loss: acc.loss / n, top1: acc.c1 / n, top5: acc.c5 / n };
}
