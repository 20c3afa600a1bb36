import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { DataFormatError } from '../types.ts';

/**
 * Decoding of the photographs behind the natural-patch task (spec §8 "Data": a
 * stand-in for ImageNet32 made of real, non-Gaussian natural images). Pure JS
 * (pngjs, jpeg-js) so it runs on any machine without native image libraries.
 */

/** ITU-R BT.601 luma weights (R, G, B), the ones PIL/skimage-style "L" conversion uses. */
export const LUMA_BT601 = [0.299, 0.587, 0.114] as const;

export interface DecodedImage {
  width: number;
  height: number;
  /** Height*width*3 interleaved RGB in [0, 1] (gray images are replicated to 3 channels). */
  rgb: Float32Array;
  format: 'png' | 'jpeg';
  /** Bits per sample of the file (PNG: 1/2/4/8/16; JPEG: 8). */
  bitDepth: number;
  /** 'gray' | 'gray+alpha' | 'rgb' | 'rgba' | 'palette'. */
  colorType: string;
}

interface PngMeta {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  data: Uint8Array | Uint16Array;
}
// pngjs ships no type declarations; load it through require with a local interface. Loaded on
// first use: every stage process imports the data stage's definition to plan (issue 12, start-up).
type PngLib = { PNG: { sync: { read(buf: Buffer, opts?: { skipRescale?: boolean }): PngMeta } } };
let pngLib: PngLib | undefined;
const png = () => (pngLib ??= createRequire(import.meta.url)('pngjs') as PngLib).PNG;

const PNG_COLOR: Record<number, string> = { 0: 'gray', 2: 'rgb', 3: 'palette', 4: 'gray+alpha', 6: 'rgba' };

/** An image that could not be read; the message names the file. */
export class ImageDecodeError extends DataFormatError {
  constructor(file: string, reason: string) {
    super(`cannot decode image ${file}: ${reason}`, 'bad-format', file);
    this.name = 'ImageDecodeError';
  }
}

function sniff(buf: Buffer): 'png' | 'jpeg' | null {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  return null;
}

/**
 * Decodes a PNG (any bit depth 1-16; gray, gray+alpha, RGB, RGBA, palette) or a
 * baseline/progressive JPEG to RGB floats in [0, 1]. Alpha is ignored (the colour
 * samples are used as stored): photographs have none, and compositing on an
 * arbitrary background would invent content.
 */
export function decodeImage(file: string, buf: Buffer = readFileSync(file)): DecodedImage {
  const format = sniff(buf);
  if (!format) throw new ImageDecodeError(file, 'not a PNG or JPEG file (unknown signature)');
  try {
    if (format === 'png') {
      // skipRescale keeps 16-bit samples (a Uint16Array) instead of pngjs's rounding to 8 bits.
      const m = png().sync.read(buf, { skipRescale: true });
      const n = m.width * m.height;
      // Palette images are expanded to 8-bit RGBA; other types keep their sample range.
      const max = m.colorType === 3 ? 255 : 2 ** m.depth - 1;
      const rgb = new Float32Array(n * 3);
      const d = m.data;
      const inv = 1 / max;
      for (let i = 0; i < n; i++) {
        rgb[3 * i] = d[4 * i] * inv;
        rgb[3 * i + 1] = d[4 * i + 1] * inv;
        rgb[3 * i + 2] = d[4 * i + 2] * inv;
      }
      return {
        width: m.width,
        height: m.height,
        rgb,
        format,
        bitDepth: m.depth,
        colorType: PNG_COLOR[m.colorType] ?? String(m.colorType),
      };
    }
    const j = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
    const n = j.width * j.height;
    if (j.data.length !== n * 3)
      throw new Error(`decoder returned ${j.data.length} samples for ${j.width}x${j.height}`);
    const rgb = new Float32Array(n * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = j.data[i] / 255;
    return { width: j.width, height: j.height, rgb, format, bitDepth: 8, colorType: 'rgb' };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(file, (e as Error).message ?? String(e));
  }
}

/**
 * The image as channel planes, chw: 1 plane of BT.601 luminance (gray) or the 3
 * RGB planes. Values stay in [0, 1].
 */
export function toPlanes(img: DecodedImage, color: 'gray' | 'rgb'): Float32Array {
  const n = img.width * img.height;
  const src = img.rgb;
  if (color === 'gray') {
    const out = new Float32Array(n);
    const [wr, wg, wb] = LUMA_BT601;
    for (let i = 0; i < n; i++) out[i] = wr * src[3 * i] + wg * src[3 * i + 1] + wb * src[3 * i + 2];
    return out;
  }
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    out[i] = src[3 * i];
    out[n + i] = src[3 * i + 1];
    out[2 * n + i] = src[3 * i + 2];
  }
  return out;
}
