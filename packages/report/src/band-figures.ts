import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError, type Artifact } from '@imp/artifacts';
import { safeRelPath, type FigureEntry } from './analysis-summary.ts';
import { readBandData, type AggregateSummary } from './aggregate-summary.ts';
import { bandSpec } from './bands.ts';
import { copyFigures, type PlacedFigure } from './figures.ts';
import { renderSvg } from './vega-svg.ts';

const isCurveEntry = (f: FigureEntry) => f.kind === 'metric-vs-u' && typeof f.level !== 'number' && !!f.spec && !!f.id;

/**
 * The analysis' figures placed in the report, with every curve the aggregate has data for
 * drawn as a band chart (mean over seeds and its interval) instead of the one seed's line:
 * `figures/bands/<id>.vl.json` and its static SVG. Other figures are the shown seed's.
 */
export async function placeFiguresWithBands(
  analysis: Artifact,
  figures: FigureEntry[],
  aggregate: { art: Artifact; summary: AggregateSummary },
  tmp: string,
): Promise<PlacedFigure[]> {
  const curves = new Map(aggregate.summary.curves.map((c) => [c.id, c]));
  const banded = (f: FigureEntry) => isCurveEntry(f) && curves.has(f.id!);
  const others = figures.filter((f) => !banded(f));
  const placedOthers = copyFigures(analysis, others, tmp, 'figures');
  const n = aggregate.summary.seeds.length;
  const pct = `${Math.round(aggregate.summary.confidence * 100)} %`;
  const out: PlacedFigure[] = [];
  for (const f of figures) {
    if (!banded(f)) {
      out.push(placedOthers[others.indexOf(f)]!);
      continue;
    }
    const rel = safeRelPath(f.spec!, `${analysis.dir}/manifest.json`);
    let template: unknown;
    try {
      template = JSON.parse(readFileSync(analysis.file(rel), 'utf8'));
    } catch (e) {
      throw new ArtifactError(`${analysis.dir}/${rel}: not a JSON spec (${(e as Error).message})`, 'bad-manifest');
    }
    const c = curves.get(f.id!)!;
    const spec = bandSpec(template, readBandData(aggregate.art, c.data), {
      seeds: n,
      confidence: aggregate.summary.confidence,
      where: `${analysis.dir}/${rel}`,
    });
    const base = `figures/bands/${f.id!.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    mkdirSync(join(tmp, 'figures', 'bands'), { recursive: true });
    writeFileSync(join(tmp, `${base}.vl.json`), JSON.stringify(spec) + '\n');
    writeFileSync(join(tmp, `${base}.svg`), await renderSvg(spec));
    out.push({
      file: `${base}.svg`,
      title: f.title ?? '',
      caption: `${f.caption ? `${f.caption} ` : ''}Line: mean over ${n} seeds; band: its ${pct} confidence interval (Student t, ${n - 1} df).`,
      level: null,
      pixel: false,
      raster: false,
      id: f.id ?? null,
      kind: f.kind ?? null,
      spec: `${base}.vl.json`,
    });
  }
  return out;
}
