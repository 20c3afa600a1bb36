import { z } from 'zod';
import { ArtifactError, readSummary, type Artifact } from '@imp/artifacts';

/**
 * What the report relies on in an `analysis` artifact's manifest summary. Parsing is
 * lenient (extra fields pass through, scalars may be missing or null) so the report
 * keeps rendering while the analysis stage grows; only the shape it must have is
 * enforced, with errors naming the field.
 */
const num = z.number().nullable().optional();

export const LevelRow = z.looseObject({
  level: z.number().int(),
  /** Fraction of surviving weights, 0.7^level for IMP at 30 %/iteration (spec §3.2). */
  u: num,
  best_val_top1: num,
  locality_ratio: num,
  locality_ratio_strict: num,
  r_half: num,
  ipr_mean: num,
  cin_mean: num,
});
export type LevelRow = z.infer<typeof LevelRow>;

export const FigureEntry = z.looseObject({
  file: z.string().min(1),
  title: z.string().default(''),
  caption: z.string().default(''),
  level: z.number().int().nullable().optional(),
  /** Stable id across experiments (e.g. `accuracy_vs_u`, `smaps`); comparison overlays match on it. */
  id: z.string().nullable().optional(),
  /** The figure's Vega-Lite spec (JSON file in the artifact), embedded interactively. */
  spec: z.string().nullable().optional(),
  /** `metric-vs-u`: a per-level scalar against u (a "curve"), overlaid on comparison pages. */
  kind: z.string().nullable().optional(),
});
export type FigureEntry = z.infer<typeof FigureEntry>;

export const ColumnEntry = z.looseObject({
  name: z.string().min(1),
  type: z.string().default(''),
  description: z.string().default(''),
  /** `percent`: a fraction shown as a percentage. */
  format: z.string().optional(),
});
export type ColumnEntry = z.infer<typeof ColumnEntry>;

export const TableEntry = z.looseObject({
  file: z.string().min(1),
  title: z.string().default(''),
  name: z.string().optional(),
  parquet: z.string().optional(),
  rows: z.number().int().optional(),
  columns: z.array(ColumnEntry).optional(),
});
export type TableEntry = z.infer<typeof TableEntry>;

export const AnalysisSummary = z.looseObject({
  levels: z.array(LevelRow).default([]),
  best_level: z.number().int().nullable().optional(),
  figures: z.array(FigureEntry).default([]),
  tables: z.array(TableEntry).default([]),
});
export type AnalysisSummary = z.infer<typeof AnalysisSummary>;

/** The columns of the per-level table as the analysis declares them, else the keys the rows carry. */
export function levelColumns(s: Pick<AnalysisSummary, 'levels' | 'tables'>): ColumnEntry[] {
  const declared = s.tables.find((t) => t.name === 'levels')?.columns;
  if (declared?.length) return declared;
  const keys = [...new Set(s.levels.flatMap((l) => Object.keys(l)))];
  return keys.map((name) => ({ name, type: '', description: '' }));
}

export function parseAnalysisSummary(a: Artifact): AnalysisSummary {
  const s = readSummary(a, AnalysisSummary);
  s.levels = [...s.levels].sort((x, y) => x.level - y.level);
  return s;
}

/** The best level: the summary's own choice, else the level with the highest best_val_top1. */
export function bestLevelOf(s: Pick<AnalysisSummary, 'levels' | 'best_level'>): number | null {
  if (typeof s.best_level === 'number') return s.best_level;
  let best: LevelRow | null = null;
  for (const l of s.levels)
    if (typeof l.best_val_top1 === 'number' && (!best || l.best_val_top1 > (best.best_val_top1 as number))) best = l;
  return best?.level ?? null;
}

/** Artifact-relative file paths must stay inside the artifact. */
export function safeRelPath(p: string, where: string): string {
  const norm = p.replace(/\\/g, '/').replace(/^\.\//, '');
  if (norm.startsWith('/') || norm.split('/').some((s) => s === '..' || s === ''))
    throw new ArtifactError(`${where}: file path '${p}' must be relative and stay inside the artifact`, 'bad-manifest');
  return norm;
}
