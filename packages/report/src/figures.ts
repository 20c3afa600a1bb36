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
    const to = `${prefix}/${rel.replace(/^figures\//, '')}`;
    mkdirSync(dirname(join(tmpDir, to)), { recursive: true });
    copyFileSync(from, join(tmpDir, to));
    const w = /\.png$/i.test(rel) ? pngWidth(from) : null;
    return {
      file: to,
      title: f.title ?? '',
      caption: f.caption ?? '',
      level: typeof f.level === 'number' ? f.level : null,
      pixel: w !== null && w < 400,
    };
  });
}

export function figureHtml(f: PlacedFigure, opts: { urlPrefix?: string; showLevel?: boolean } = {}): string {
  const url = relUrl(`${opts.urlPrefix ?? ''}${f.file}`);
  const title = f.title || f.file.split('/').pop()!;
  const lvl =
    opts.showLevel && f.level !== null && !/level/i.test(title) ? ` <span class="muted">(level ${f.level})</span>` : '';
  return `<figure>
<a href="${url}"><img src="${url}" alt="${esc(title)}"${f.pixel ? ' class="pixel"' : ''}></a>
<figcaption><b>${esc(title)}</b>${lvl}${f.caption ? ` — ${esc(f.caption)}` : ''}</figcaption>
</figure>`;
}
