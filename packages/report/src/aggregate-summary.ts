import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ArtifactError, readSummary, type Artifact } from '@imp/artifacts';
import { LevelRow, safeRelPath } from './analysis-summary.ts';
import type { BandData } from './bands.ts';

/**
 * What the report reads of an `aggregate` artifact (statistics over seeds, package
 * findings): mean rows per level, their intervals, the experiment scalars, and the band
 * data of each curve. Lenient like the analysis summary; errors name the field.
 */
const num = z.number().nullable().optional();
export const ExperimentStat = z.looseObject({ n: z.number(), mean: num, sd: num, ci_lo: num, ci_hi: num });
export type ExperimentStat = z.infer<typeof ExperimentStat>;

export const AggregateSummary = z.looseObject({
  seeds: z.array(z.number().int()).min(1),
  confidence: z.number().gt(0).lt(1),
  levels: z.array(LevelRow).default([]),
  level_ci: z.array(z.record(z.string(), z.unknown())).default([]),
  best_level: z.number().int().nullable().optional(),
  experiment: z.record(z.string(), ExperimentStat).default({}),
  curves: z.array(z.looseObject({ id: z.string().min(1), data: z.string().min(1) })).default([]),
});
export type AggregateSummary = z.infer<typeof AggregateSummary>;

export function parseAggregateSummary(a: Artifact): AggregateSummary {
  return readSummary(a, AggregateSummary);
}

/** The band data of one curve (`curves/<id>.json`: points with value = mean, lo, hi, n; rules). */
export function readBandData(a: Artifact, file: string): BandData {
  const rel = safeRelPath(file, `${a.dir}/manifest.json`);
  let v: { points?: unknown; rules?: unknown };
  try {
    v = JSON.parse(readFileSync(a.file(rel), 'utf8'));
  } catch (e) {
    throw new ArtifactError(`${a.dir}/${rel}: not JSON (${(e as Error).message})`, 'bad-manifest', a.dir);
  }
  if (!Array.isArray(v.points))
    throw new ArtifactError(`${a.dir}/${rel}: expected { points: [...], rules: [...] }`, 'bad-manifest', a.dir);
  return {
    points: v.points as BandData['points'],
    rules: Array.isArray(v.rules) ? (v.rules as BandData['rules']) : [],
  };
}

/** The interval of one metric at one level, if the aggregate has one. */
export function intervalOf(s: AggregateSummary, level: number, metric: string): [number, number] | null {
  const row = s.level_ci.find((r) => r.level === level);
  const v = row?.[metric];
  return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : null;
}
