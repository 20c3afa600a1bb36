import { tf } from '@imp/engine';
import { gatherRows } from '@imp/engine/rows';
import { scoreLogits, type EvalResult } from './score.ts';
import type { Net } from './model.ts';
import type { LoadedDataset, Split } from './dataset-io.ts';

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
