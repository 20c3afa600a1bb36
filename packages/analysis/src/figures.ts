/** Raster figure builders for the analysis (layouts follow the authors' notebook plots, spec §4/§5.6). */
import type { Connectivity } from './connectivity.ts';
import { forEachBit } from './connectivity.ts';
import type { DMap, Geometry } from './smap.ts';
import { encodePng, heatmap, pngDataUri, planesImage, tile, upscale, type Raster } from './plot/raster.ts';
import { imagePanels } from './charts/image-panels.ts';
import type { Spec } from './charts/theme.ts';

/** S maps as plasma heatmaps scaled 0..max each (notebook display), labelled panels in a Vega-Lite spec. */
export function smapFigure(
  items: { map: DMap; label: string; level?: number }[],
  scale: number,
  cols: number,
  opts: { title?: string; levelSelector?: boolean } = {},
): Spec {
  return imagePanels({
    title: opts.title,
    columns: cols,
    levelSelector: opts.levelSelector,
    panels: items.map((it) => {
      const img = upscale(heatmap(it.map.data, it.map.h, it.map.w), scale);
      return { label: it.label, url: pngDataUri(img), width: img.width, height: img.height, level: it.level };
    }),
  });
}

/** Binary mask image of one node (chw planes in original pixel space). */
export function binaryPlanes(c: Connectivity, node: number): Float32Array {
  const img = new Float32Array(c.dim);
  forEachBit(c, node, (p) => (img[p] = 1));
  return img;
}

/**
 * mask ⊙ weight of one first-layer node, min–max normalised per node (spec §4(f)),
 * mapped to original pixel space: stored input i is original pixel origOf[i].
 */
export function weightedPlanes(
  W: Float32Array,
  M: Uint8Array | null,
  fanOut: number,
  node: number,
  origOf: Int32Array,
): Float32Array {
  const D = origOf.length;
  const img = new Float32Array(D);
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < D; i++) {
    const t = i * fanOut + node;
    const v = M && !M[t] ? 0 : W[t]!;
    img[origOf[i]!] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  for (let p = 0; p < D; p++) img[p] = span > 0 ? (img[p]! - lo) / span : 0.5;
  return img;
}

export function maskGridPng(planes: Float32Array[], g: Geometry, cols: number, scale: number, gap = 2): Buffer {
  const imgs: Raster[] = planes.map((p) => upscale(planesImage(p, g.channels, g.height, g.width), scale));
  return encodePng(tile(imgs, cols, gap));
}

/** Per-pixel connection map (spec §4(e)): counts / max, channels as R,G,B. */
export function pixelMapPng(counts: ArrayLike<number>, g: Geometry, scale: number): Buffer {
  let mx = 0;
  for (let i = 0; i < counts.length; i++) mx = Math.max(mx, counts[i]!);
  const planes = Float32Array.from(counts as ArrayLike<number>, (v) => (mx > 0 ? v / mx : 0));
  return encodePng(upscale(planesImage(planes, g.channels, g.height, g.width), scale));
}
