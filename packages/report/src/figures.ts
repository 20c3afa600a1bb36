import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArtifactError, type Artifact } from '@imp/artifacts';
import { safeRelPath, type FigureEntry } from './analysis-summary.ts';
import { esc, relUrl } from './html.ts';

/** A figure as placed inside a report artifact (path relative to the artifact). */
export interface PlacedFigure {
  file: string;
  title: string;
  caption: string;
  level: number | null;
  /** Small raster images (mask grids, 65×65 maps) are shown with crisp pixels. */
  pixel: boolean;
  /** PNG/JPEG/… rasters get a thin frame, so an all-white or all-black image is visibly an image. */
  raster: boolean;
  id: string | null;
  kind: string | null;
  /** Copied Vega-Lite spec (path relative to the artifact), or null for an image-only figure. */
  spec: string | null;
}

const IMAGE_EXT = /\.(svg|png|jpe?g|gif|webp)$/i;

/** PNG width from the IHDR chunk, or null if the file is not a PNG. */
export function pngWidth(path: string): number | null {
  const b = readFileSync(path);
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47) return null;
  return b.readUInt32BE(16);
}

/**
 * Copies an upstream artifact's figures into `<tmpDir>/<prefix>/...` so the page is
 * self-contained (the store may be copied or served without its neighbours).
 */
export function copyFigures(src: Artifact, figures: FigureEntry[], tmpDir: string, prefix: string): PlacedFigure[] {
  return figures.map((f) => {
    const rel = safeRelPath(f.file, `${src.dir}/manifest.json`);
    if (!IMAGE_EXT.test(rel))
      throw new ArtifactError(
        `${src.dir}: figure '${rel}' is not an image a browser shows (svg, png, jpg, gif, webp)`,
        'bad-manifest',
      );
    const from = src.file(rel);
    const placed = (r: string) => `${prefix}/${r.replace(/^figures\//, '')}`;
    const copy = (r: string) => {
      mkdirSync(dirname(join(tmpDir, placed(r))), { recursive: true });
      copyFileSync(src.file(r), join(tmpDir, placed(r)));
      return placed(r);
    };
    let spec: string | null = null;
    if (typeof f.spec === 'string') {
      const specRel = safeRelPath(f.spec, `${src.dir}/manifest.json`);
      if (!/\.json$/i.test(specRel))
        throw new ArtifactError(`${src.dir}: figure spec '${specRel}' is not a JSON file`, 'bad-manifest');
      spec = copy(specRel);
    }
    const w = /\.png$/i.test(rel) ? pngWidth(from) : null;
    return {
      file: copy(rel),
      title: f.title ?? '',
      caption: f.caption ?? '',
      level: typeof f.level === 'number' ? f.level : null,
      pixel: w !== null && w < 400,
      raster: !/\.svg$/i.test(rel),
      id: f.id ?? null,
      kind: f.kind ?? null,
      spec,
    };
  });
}

/**
 * One figure card. With `specId` the figure is also drawn interactively (interactive.ts
 * replaces the fallback image once vega-embed has rendered); the static image stays for
 * readers without scripts.
 */
export function figureHtml(
  f: Pick<PlacedFigure, 'file' | 'title' | 'caption' | 'level' | 'pixel' | 'raster'>,
  opts: { urlPrefix?: string; showLevel?: boolean; specId?: string } = {},
): string {
  const url = relUrl(`${opts.urlPrefix ?? ''}${f.file}`);
  const title = f.title || f.file.split('/').pop()!;
  const lvl =
    opts.showLevel && f.level !== null && !/level/i.test(title) ? ` <span class="muted">(level ${f.level})</span>` : '';
  const cls = [f.pixel ? 'pixel' : '', f.raster ? 'raster' : ''].filter(Boolean).join(' ');
  const img = `<a href="${url}"><img src="${url}" alt="${esc(title)}"${cls ? ` class="${cls}"` : ''}></a>`;
  const body = opts.specId
    ? `<div class="vl" data-spec="${esc(opts.specId)}"><div class="vl-fallback">${img}</div><div class="vl-live"></div></div>`
    : img;
  return `<figure>
${body}
<figcaption><b>${esc(title)}</b>${lvl}${f.caption ? ` — ${esc(f.caption)}` : ''}</figcaption>
</figure>`;
}
