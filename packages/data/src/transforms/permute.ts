import { z } from 'zod';
import { defineTransform } from '../define.ts';
import type { LoadedDataset } from '../types.ts';
import { imageDim } from '../types.ts';

/** x_new[i] = x[perm[i]] for every image. */
export function permuteImages<T extends Uint8Array | Float32Array>(x: T, perm: Int32Array): T {
  const D = perm.length;
  const out = new (x.constructor as { new (n: number): T })(x.length);
  for (let o = 0; o < x.length; o += D) for (let i = 0; i < D; i++) out[o + i] = x[o + perm[i]!]!;
  return out;
}

/** The inverse gather: undo(permuteImages(x, p), p) = x. */
export function inversePermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]!] = i;
  return inv;
}

/**
 * A fixed seeded pixel permutation (same for every image, train and val): destroys the
 * spatial structure while keeping every pixel's statistics, the control for locality emerging.
 * The permutation (composed with any earlier one) is stored as tensor `permutation` in
 * normalization.arrow: x_stored[i] = x_original[permutation[i]].
 */
export const permutePixelsTransform = defineTransform({
  name: 'permute-pixels',
  description:
    'apply one seeded random permutation of the pixels to every image (stored with the artifact so analysis can undo it)',
  options: {
    scope: z
      .enum(['spatial', 'all'])
      .default('spatial')
      .describe("'spatial' = permute pixel positions, the same way in every channel; 'all' = permute all C*H*W inputs"),
  },
  apply(ds, c, { rng }) {
    const { channels: C, height: H, width: W } = ds.layout;
    const D = imageDim(ds.layout);
    let perm: Int32Array;
    if (c.scope === 'all') perm = rng.shuffle(Int32Array.from({ length: D }, (_, i) => i));
    else {
      const HW = H * W;
      const p = rng.shuffle(Int32Array.from({ length: HW }, (_, i) => i));
      perm = new Int32Array(D);
      for (let ch = 0; ch < C; ch++) for (let i = 0; i < HW; i++) perm[ch * HW + i] = ch * HW + p[i]!;
    }
    const composed = ds.permutation ? Int32Array.from(perm, (p) => ds.permutation![p]!) : perm;
    const out: LoadedDataset = {
      ...ds,
      train: { x: permuteImages(ds.train.x, perm), y: ds.train.y },
      val: { x: permuteImages(ds.val.x, perm), y: ds.val.y },
      permutation: composed,
    };
    return { dataset: out, record: { stored_as: 'normalization.arrow: permutation' } };
  },
});
