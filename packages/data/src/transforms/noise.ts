import { z } from 'zod';
import { defineTransform } from '../define.ts';
import type { LoadedDataset } from '../types.ts';
import { imageDim } from '../types.ts';
import { asFloat32 } from './util.ts';

const splitsField = (def: ('train' | 'val')[]) =>
  z
    .array(z.enum(['train', 'val']))
    .default(def)
    .describe('splits to apply it to');

/** Additive Gaussian pixel noise of std sigma (pixel units). */
export const pixelNoiseTransform = defineTransform({
  name: 'pixel-noise',
  description: 'add i.i.d. Gaussian noise N(0, sigma^2) to every pixel',
  options: {
    sigma: z.number().nonnegative().describe('noise std in pixel units (0..255 scale for uint8 images)'),
    splits: splitsField(['train', 'val']),
    output: z
      .enum(['float32', 'uint8'])
      .default('float32')
      .describe("'float32' keeps the exact noisy values; 'uint8' rounds and clips to 0..255 (4x smaller)"),
  },
  apply(ds, c, { rng }) {
    const out: LoadedDataset = { ...ds };
    for (const split of ['train', 'val'] as const) {
      const src = ds[split].x;
      const noisy = c.splits.includes(split);
      let x: Uint8Array | Float32Array;
      if (c.output === 'float32') {
        const f = noisy || src instanceof Float32Array ? Float32Array.from(src) : asFloat32(src);
        if (noisy) for (let i = 0; i < f.length; i++) f[i]! += c.sigma * rng.normal();
        x = f;
      } else {
        if (src instanceof Float32Array) throw new Error("pixel-noise: output 'uint8' needs uint8 pixels");
        const u = Uint8Array.from(src);
        if (noisy)
          for (let i = 0; i < u.length; i++)
            u[i] = Math.min(255, Math.max(0, Math.round(u[i]! + c.sigma * rng.normal())));
        x = u;
      }
      out[split] = { x, y: ds[split].y };
    }
    return { dataset: out };
  },
});

/** Label noise: a fraction of the labels replaced by a uniformly drawn different class. */
export const labelNoiseTransform = defineTransform({
  name: 'label-noise',
  description: 'replace round(fraction * n) labels, chosen at random, by a different class drawn uniformly',
  options: {
    fraction: z.number().min(0).max(1).describe('fraction of the labels to corrupt'),
    splits: splitsField(['train']),
  },
  apply(ds, c, { rng }) {
    const out: LoadedDataset = { ...ds, aux: [...(ds.aux ?? [])] };
    const record: Record<string, number> = {};
    const K = ds.num_classes;
    for (const split of c.splits) {
      const n = ds[split].y.length;
      const m = Math.round(c.fraction * n);
      const y = Int32Array.from(ds[split].y);
      const idx = rng
        .shuffle(Int32Array.from({ length: n }, (_, i) => i))
        .subarray(0, m)
        .sort();
      if (K > 1) for (const i of idx) y[i] = (y[i]! + 1 + rng.int(K - 1)) % K;
      out[split] = { x: ds[split].x, y };
      out.aux!.push({ name: `label_noise_index_${split}`, shape: [m, 1], data: Float32Array.from(idx) });
      record[`n_corrupted_${split}`] = m;
    }
    return { dataset: out, record };
  },
});

/**
 * Embeds each image in a larger canvas of Gaussian noise, at a fixed place or a seeded random
 * place per image (offsets stored as aux tensors canvas_offset_{train,val} = [top, left]).
 */
export const canvasTransform = defineTransform({
  name: 'canvas',
  description: 'place each image at a fixed or random position in a larger canvas filled with Gaussian noise',
  options: {
    height: z.number().int().positive().describe('canvas height (>= image height)'),
    width: z.number().int().positive().describe('canvas width (>= image width)'),
    position: z
      .enum(['random', 'center', 'fixed'])
      .default('random')
      .describe("'random' = seeded uniform per image; 'center'; 'fixed' = at (top, left)"),
    top: z.number().int().nonnegative().default(0).describe("position 'fixed': row of the image's top-left pixel"),
    left: z.number().int().nonnegative().default(0).describe("position 'fixed': column of the image's top-left pixel"),
    noiseMean: z
      .number()
      .nullable()
      .default(null)
      .describe('background noise mean in pixel units; null = mean training pixel'),
    noiseStd: z
      .number()
      .nonnegative()
      .nullable()
      .default(null)
      .describe('background noise std in pixel units; null = std of training pixels'),
  },
  apply(ds, c, { rng }) {
    const { channels: C, height: H, width: W } = ds.layout;
    if (ds.permutation)
      throw new Error('canvas: must come before permute-pixels (the stored permutation refers to the final layout)');
    if (c.height < H || c.width < W)
      throw new Error(`canvas: ${c.height}x${c.width} is smaller than the ${H}x${W} images`);
    if (c.position === 'fixed' && (c.top + H > c.height || c.left + W > c.width))
      throw new Error(`canvas: image at (${c.top}, ${c.left}) does not fit`);
    const D = imageDim(ds.layout);
    let mean = c.noiseMean;
    let std = c.noiseStd;
    if (mean === null || std === null) {
      let s = 0,
        s2 = 0;
      const x = ds.train.x;
      for (let i = 0; i < x.length; i++) {
        s += x[i]!;
        s2 += x[i]! * x[i]!;
      }
      const m = s / x.length;
      mean ??= m;
      std ??= Math.sqrt(Math.max(0, s2 / x.length - m * m));
    }
    const CH = c.height,
      CW = c.width,
      CD = C * CH * CW;
    const out: LoadedDataset = {
      ...ds,
      layout: { channels: C, height: CH, width: CW, order: 'chw' },
      aux: [...(ds.aux ?? [])],
    };
    for (const split of ['train', 'val'] as const) {
      const src = ds[split].x;
      const n = ds[split].y.length;
      const u8 = src instanceof Uint8Array;
      const x = u8 ? new Uint8Array(n * CD) : new Float32Array(n * CD);
      const offs = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const o = i * CD;
        for (let j = 0; j < CD; j++) {
          const v = mean + std * rng.normal();
          x[o + j] = u8 ? Math.min(255, Math.max(0, Math.round(v))) : v;
        }
        const top = c.position === 'random' ? rng.int(CH - H + 1) : c.position === 'center' ? (CH - H) >> 1 : c.top;
        const left = c.position === 'random' ? rng.int(CW - W + 1) : c.position === 'center' ? (CW - W) >> 1 : c.left;
        offs[2 * i] = top;
        offs[2 * i + 1] = left;
        for (let ch = 0; ch < C; ch++)
          for (let r = 0; r < H; r++) {
            const s0 = i * D + ch * H * W + r * W;
            x.set(src.subarray(s0, s0 + W), o + ch * CH * CW + (top + r) * CW + left);
          }
      }
      out[split] = { x, y: ds[split].y };
      out.aux!.push({ name: `canvas_offset_${split}`, shape: [n, 2], data: offs });
    }
    return { dataset: out, record: { image_height: H, image_width: W, noise_mean: mean, noise_std: std } };
  },
});
