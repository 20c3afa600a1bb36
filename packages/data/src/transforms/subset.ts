import { z } from 'zod';
import { defineTransform } from '../define.ts';
import { gatherSplit } from './util.ts';

/**
 * Per-class quotas summing to `total`, proportional to class sizes (largest remainder,
 * ties to the lower class id), so a stratified subset keeps the class proportions.
 */
export function stratifiedQuotas(classSizes: number[], total: number): number[] {
  const N = classSizes.reduce((a, b) => a + b, 0);
  const exact = classSizes.map((c) => (N ? (c * total) / N : 0));
  const q = exact.map(Math.floor);
  let left = total - q.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    if (q[i]! < classSizes[i]!) {
      q[i]!++;
      left--;
    }
  }
  return q;
}

/**
 * Training-set size (spec §2.2, `data_ratio`): the paper keeps the FIRST int(ratio * N)
 * images in file order; a seeded random and/or class-stratified subset is also offered.
 * Selected images keep their file order.
 */
export const subsetTransform = defineTransform({
  name: 'subset',
  description:
    'keep part of a split: the first N images in file order (as the paper) or a seeded random subset, optionally stratified by class',
  options: {
    split: z.enum(['train', 'val']).default('train').describe('which split to shrink'),
    fraction: z
      .number()
      .gt(0)
      .lte(1)
      .nullable()
      .default(null)
      .describe("keep int(fraction * N) images (the paper's data_ratio); give fraction or n"),
    n: z.number().int().positive().nullable().default(null).describe('keep exactly n images; give fraction or n'),
    mode: z
      .enum(['first', 'random'])
      .default('first')
      .describe("'first' = first images in file order (paper); 'random' = seeded uniform subset"),
    stratified: z.boolean().default(false).describe('keep class proportions (per-class quotas by largest remainder)'),
  },
  refine(c, ctx) {
    if ((c.fraction === null) === (c.n === null))
      ctx.addIssue({ code: 'custom', path: ['fraction'], message: 'give exactly one of fraction or n' });
  },
  apply(ds, c, { rng }) {
    const s = ds[c.split];
    const N = s.y.length;
    const total = c.n ?? Math.floor(c.fraction! * N);
    if (total > N) throw new Error(`subset: n=${total} is larger than the ${c.split} split (${N} images)`);
    let keep: number[];
    if (!c.stratified) {
      if (c.mode === 'first') keep = Array.from({ length: total }, (_, i) => i);
      else
        keep = Array.from(rng.shuffle(Int32Array.from({ length: N }, (_, i) => i)).subarray(0, total)).sort(
          (a, b) => a - b,
        );
    } else {
      const byClass: number[][] = Array.from({ length: ds.num_classes }, () => []);
      for (let i = 0; i < N; i++) byClass[s.y[i]!]!.push(i);
      const q = stratifiedQuotas(
        byClass.map((b) => b.length),
        total,
      );
      keep = [];
      byClass.forEach((members, k) => {
        const pick =
          c.mode === 'first'
            ? members.slice(0, q[k])
            : Array.from(rng.shuffle(Int32Array.from(members)).subarray(0, q[k]));
        keep.push(...pick);
      });
      keep.sort((a, b) => a - b);
    }
    return { dataset: gatherSplit(ds, c.split, keep), record: { n_before: N, n_after: keep.length } };
  },
});
