/**
 * The analysis of one IMP experiment (spec §4): the loop over the registry of measures
 * (measures/index.ts). Per level it builds the shared connectivity (context.ts) and lets
 * each measure add scalars, table rows and figures; then each measure draws its
 * cross-level figures. Writes figures/ and tables/ into `dir` and returns the manifest
 * summary, which declares every table (columns, descriptions) and every figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Artifact } from '@imp/artifacts';
import { METRIC_VS_U } from './charts/metric-vs-u.ts';
import { renderSvg } from './charts/render.ts';
import type { AnalysisConfig } from './config.ts';
import { experimentContext, levelContext } from './context.ts';
import type { ColumnDecl, Figure, LevelRow, Measure, Output, TableDecl, TableRow } from './measure.ts';
import { MEASURES } from './measures/index.ts';
import { checkRow, writeTable, type TableEntry } from './tables.ts';

export interface FigureEntry {
  id: string;
  file: string;
  title: string;
  caption: string;
  level?: number;
  /** Vega-Lite spec of the figure, for interactive pages. */
  spec?: string;
  /** `metric-vs-u`: a per-level scalar against u, overlaid across experiments on comparison pages. */
  kind?: string;
}

export const LEVELS_TABLE = 'levels';

/** The `levels` table: one row per level, a column per declared scalar of every measure. */
export function levelsTable(measures: readonly Measure[]): TableDecl {
  return {
    name: LEVELS_TABLE,
    title: 'Per-level scalars',
    columns: [
      { name: 'level', type: 'int', description: 'IMP level (0 = dense)' },
      ...measures.flatMap((m) => m.scalars ?? []),
    ],
  };
}

export async function analyzeExperiment(
  inputs: Record<string, Artifact>,
  cfg: AnalysisConfig,
  dir: string,
  log: (m: string) => void,
  measures: readonly Measure[] = MEASURES,
) {
  const timings: Record<string, number> = {};
  const time = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      timings[`${name}_s`] = (timings[`${name}_s`] ?? 0) + (performance.now() - t0) / 1000;
    }
  };

  const tableDecls = new Map<string, TableDecl>();
  for (const d of [levelsTable(measures), ...measures.flatMap((m) => m.tables ?? [])]) {
    if (tableDecls.has(d.name)) throw new Error(`analysis: table '${d.name}' declared twice`);
    tableDecls.set(d.name, d);
  }
  const tableRows = new Map<string, TableRow[]>([...tableDecls.keys()].map((n) => [n, []]));
  const figures: Figure[] = [];
  const output = (m: Measure): Output => ({
    rows(table, ...rows) {
      const decl = tableDecls.get(table);
      if (!decl) throw new Error(`analysis measure '${m.name}': table '${table}' is not declared by any measure`);
      for (const r of rows) checkRow(decl, r);
      tableRows.get(table)!.push(...rows);
    },
    figure(f) {
      if (!m.figures?.some((d) => d.id === f.id))
        throw new Error(`analysis measure '${m.name}': figure id '${f.id}' is not declared`);
      if (!f.spec && !f.png) throw new Error(`analysis measure '${m.name}': figure ${f.file} has neither spec nor png`);
      figures.push(f);
    },
    time,
  });

  const x = time('load_dataset', () => experimentContext(inputs, cfg, log));
  const runs = measures.map((m) => ({ m, run: m.start(x), out: output(m) }));
  const levels: LevelRow[] = [];
  for (const li of x.levels) {
    const lv = time('load_levels', () => levelContext(x, li));
    const row: LevelRow = { level: lv.level };
    for (const { m, run, out } of runs) {
      const declared = new Set((m.scalars ?? []).map((c: ColumnDecl) => c.name));
      await run.level?.(lv, {
        ...out,
        scalar(name, value) {
          if (!declared.has(name)) throw new Error(`analysis measure '${m.name}': scalar '${name}' is not declared`);
          row[name] = value;
        },
      });
      for (const name of declared)
        if (!(name in row)) throw new Error(`analysis measure '${m.name}': level ${lv.level} has no '${name}'`);
    }
    levels.push(row);
    tableRows.get(LEVELS_TABLE)!.push(row);
  }
  for (const { run, out } of runs) run.finish?.(levels, out);

  // Figures: the Vega-Lite spec next to its static SVG (or the PNG raster).
  const entries: FigureEntry[] = [];
  await time('figures', async () => {
    for (const f of figures) {
      mkdirSync(join(dir, dirname(f.file)), { recursive: true });
      let spec: string | undefined;
      if (f.spec) {
        spec = `${f.file}.vl.json`;
        writeFileSync(join(dir, spec), JSON.stringify(f.spec) + '\n');
      }
      const file = f.png ? `${f.file}.png` : `${f.file}.svg`;
      writeFileSync(join(dir, file), f.png ?? (await renderSvg(f.spec!)));
      const kind = (f.spec?.usermeta as { kind?: string } | undefined)?.kind;
      entries.push({
        id: f.id,
        file,
        title: f.title,
        caption: f.caption,
        ...(f.level !== undefined ? { level: f.level } : {}),
        ...(spec ? { spec } : {}),
        ...(kind === METRIC_VS_U ? { kind } : {}),
      });
    }
  });

  const tables: TableEntry[] = time('tables', () => {
    mkdirSync(join(dir, 'tables'), { recursive: true });
    return [...tableDecls.values()].map((d) => writeTable(dir, d, tableRows.get(d.name)!));
  });

  return {
    summary: {
      levels,
      best_level: x.bestLevel,
      detail_levels: x.detail,
      ...Object.assign({}, ...runs.map(({ run }) => run.summary?.() ?? {})),
      geometry: x.g,
      constant_pixels: x.nConst,
      constant_pixels_excluded: !!x.valid,
      pixels_permuted: x.ds.storedPermuted,
      pixel_space: cfg.pixelSpace,
      r: cfg.r,
      measures: measures.map((m) => ({ name: m.name, description: m.description })),
      figures: entries,
      tables,
    },
    timings,
  };
}
