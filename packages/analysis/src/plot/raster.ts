/**
 * Tiny raster helper for heatmaps and mask grids, encoded with pngjs (no browser,
 * no native deps). Images are RGB bytes, row-major.
 */
import { PNG } from 'pngjs';

export interface Raster {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export function raster(width: number, height: number, fill: [number, number, number] = [255, 255, 255]): Raster {
  const rgb = new Uint8Array(width * height * 3);
  const [r, g, b] = fill;
  if (r !== 0 || g !== 0 || b !== 0)
    for (let i = 0; i < rgb.length; i += 3) {
      rgb[i] = r;
      rgb[i + 1] = g;
      rgb[i + 2] = b;
    }
  return { width, height, rgb };
}

// matplotlib 'plasma' at 9 stops (the authors' S-map colour scale), linearly interpolated.
const PLASMA: [number, number, number][] = [
  [13, 8, 135],
  [75, 3, 161],
  [125, 3, 168],
  [168, 34, 150],
  [203, 70, 121],
  [229, 107, 93],
  [248, 148, 65],
  [253, 195, 40],
  [240, 249, 33],
];

export function plasma(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (PLASMA.length - 1);
  const i = Math.min(PLASMA.length - 2, Math.floor(v));
  const f = v - i;
  const a = PLASMA[i]!,
    b = PLASMA[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + f * (b[k]! - a[k]!))) as [number, number, number];
}

/** Heatmap of an h×w map scaled to [0, vmax] (default: its max), as the notebook shows S maps. */
export function heatmap(data: ArrayLike<number>, h: number, w: number, vmax?: number): Raster {
  let mx = vmax ?? 0;
  if (vmax === undefined) for (let i = 0; i < data.length; i++) mx = Math.max(mx, data[i]!);
  const r = raster(w, h);
  for (let i = 0; i < h * w; i++) r.rgb.set(plasma(mx > 0 ? data[i]! / mx : 0), i * 3);
  return r;
}

/** Image from per-channel planes (chw, values in [0,1]); 1 channel → grey, 3 → RGB, 2 → R,G. */
export function planesImage(planes: ArrayLike<number>, channels: number, h: number, w: number): Raster {
  const r = raster(w, h, [0, 0, 0]);
  const hw = h * w;
  for (let p = 0; p < hw; p++)
    for (let k = 0; k < 3; k++) {
      const c = channels === 1 ? 0 : k;
      r.rgb[p * 3 + k] = c < channels ? Math.round(255 * Math.min(1, Math.max(0, planes[c * hw + p]!))) : 0;
    }
  return r;
}

export function upscale(src: Raster, s: number): Raster {
  if (s === 1) return src;
  // Byte loops, no per-pixel subarray: one widened row per source row, then row copies.
  const w = src.width * s;
  const rgb = new Uint8Array(w * src.height * s * 3);
  const rowBytes = w * 3;
  for (let y = 0; y < src.height; y++) {
    const o = y * s * rowBytes;
    for (let x = 0; x < src.width; x++) {
      const i = (y * src.width + x) * 3;
      for (let k = 0; k < s; k++) {
        const d = o + (x * s + k) * 3;
        rgb[d] = src.rgb[i]!;
        rgb[d + 1] = src.rgb[i + 1]!;
        rgb[d + 2] = src.rgb[i + 2]!;
      }
    }
    for (let k = 1; k < s; k++) rgb.copyWithin(o + k * rowBytes, o, o + rowBytes);
  }
  return { width: w, height: src.height * s, rgb };
}

/** Tiles equally sized images in a grid with `gap` pixels of `bg` between them. */
export function tile(images: Raster[], cols: number, gap = 2, bg: [number, number, number] = [255, 255, 255]): Raster {
  if (!images.length) return raster(1, 1, bg);
  const { width: w, height: h } = images[0]!;
  const rows = Math.ceil(images.length / cols);
  const c = Math.min(cols, images.length);
  const out = raster(c * w + (c - 1) * gap, rows * h + (rows - 1) * gap, bg);
  images.forEach((im, i) => {
    const ox = (i % cols) * (w + gap);
    const oy = Math.floor(i / cols) * (h + gap);
    for (let y = 0; y < h; y++)
      out.rgb.set(im.rgb.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * out.width + ox) * 3);
  });
  return out;
}

export function encodePng(r: Raster): Buffer {
  const png = new PNG({ width: r.width, height: r.height, colorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(r.rgb.buffer, r.rgb.byteOffset, r.rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: false, deflateLevel: 9 });
}

export function pngDataUri(r: Raster): string {
  return `data:image/png;base64,${encodePng(r).toString('base64')}`;
}
