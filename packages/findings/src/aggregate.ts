/**
 * Statistics over the seeds of one experiment: per level and metric (every numeric column
 * the analysis declares for its `levels` table, so a new measure's scalars aggregate with
 * no change here), per experiment (peak accuracy, u at the peak, gain over dense, spec
 * §5.1), and per point of every "metric vs u" curve (for the bands on the pages).
 */
import { describe, type Stat } from './stats.ts';
import type { ColumnDecl, Row } from './tables.ts';
import type { SeedAnalysis } from './seed-inputs.ts';

/** Per-seed scalars of a whole experiment, read off its `levels` rows. */
export const EXPERIMENT_METRICS: ColumnDecl[] = [
  { name: 'dense_val_top1', type: 'float', format: 'percent', description: 'best val top-1 of the dense level 0' },
  {
    name: 'peak_val_top1',
    type: 'float',
    format: 'percent',
    description: 'highest best val top-1 over the levels (ties: the denser level)',
  },
  { name: 'level_at_peak', type: 'float', description: 'the level of that peak' },
  { name: 'u_at_peak', type: 'float', format: 'percent', description: 'u (kept fraction) at that peak' },
  { name: 'gain_over_dense', type: 'float', description: 'peak minus dense val top-1 (absolute)' },
  {
    name: 'gain_over_dense_rel',
    type: 'float',
    format: 'percent',
    description: '(peak − dense) / dense: the relative gain the paper quotes (spec §5.1)',
  },
  { name: 'last_val_top1', type: 'float', format: 'percent', description: 'best val top-1 of the last level' },
  {
    name: 'fall_after_peak',
    type: 'float',
    description: 'last level minus peak val top-1 (≤ 0; 0 when the peak is the last level): the fall of spec §5.1',
  },
];

export interface AggregatedPoint {
  experiment: string;
  series: string;
  level: number;
  /** Mean u in percent, as the analysis' charts use. */
  u: number;
  value: number | null;
  lo: number | null;
  hi: number | null;
  sd: number | null;
  n: number;
  best: boolean;
}

export interface AggregatedCurve {
  id: string;
  title: string;
  caption: string;
  points: AggregatedPoint[];
  rules: { experiment: string; label: string; value: number }[];
}

export interface Aggregate {
  seeds: number[];
  confidence: number;
  metrics: ColumnDecl[];
  /** level, metric, n, mean, sd, se, ci_lo, ci_hi, u (mean u of the level). */
  levelStats: Row[];
  /** seed, level, metric, value: what paired comparisons (findings) read. */
  perSeed: Row[];
  /** One row per level: the mean of every metric, plus n_seeds. */
  meanLevels: Record<string, number | null>[];
  /** One row per level: [ci_lo, ci_hi] of every metric with at least two seeds. */
  levelCi: Record<string, number | [number, number]>[];
  /** The level with the highest mean best val top-1. */
  bestLevel: number | null;
  experimentStats: Row[];
  experimentSeeds: Row[];
  curves: AggregatedCurve[];
  curveRows: Row[];
}

const statCols = (s: Stat) => ({ n: s.n, mean: s.mean, sd: s.sd, se: s.se, ci_lo: s.lo, ci_hi: s.hi });

/** The experiment scalars of one seed (null where the analysis has no accuracy). */
export function experimentScalars(levels: Record<string, number | null>[]): Record<string, number | null> {
  const acc = (l: Record<string, number | null>) => l.best_val_top1;
  const dense = levels.find((l) => l.level === 0);
  let peak: Record<string, number | null> | undefined;
  for (const l of [...levels].sort((a, b) => a.level! - b.level!))
    if (typeof acc(l) === 'number' && (!peak || acc(l)! > acc(peak)!)) peak = l;
  const d = dense ? acc(dense) : null;
  const p = peak ? acc(peak) : null;
  const lastLevel = levels.reduce<Record<string, number | null> | undefined>(
    (a, l) => (!a || l.level! > a.level! ? l : a),
    undefined,
  );
  const last = lastLevel ? acc(lastLevel) : null;
  return {
    dense_val_top1: d ?? null,
    peak_val_top1: p ?? null,
    level_at_peak: peak ? peak.level : null,
    u_at_peak: peak ? (peak.u ?? null) : null,
    gain_over_dense: d != null && p != null ? p - d : null,
    gain_over_dense_rel: d != null && p != null && d > 0 ? (p - d) / d : null,
    last_val_top1: last ?? null,
    fall_after_peak: last != null && p != null ? last - p : null,
  };
}

export function aggregate(seeds: SeedAnalysis[], confidence = 0.95): Aggregate {
  if (!seeds.length) throw new Error('aggregate: no seed analyses');
  const sorted = [...seeds].sort((a, b) => a.seed - b.seed);
  const metrics: ColumnDecl[] = [];
  for (const s of sorted) for (const c of s.columns) if (!metrics.some((m) => m.name === c.name)) metrics.push(c);
  const levels = [...new Set(sorted.flatMap((s) => s.levels.map((l) => l.level!)))].sort((a, b) => a - b);
  const at = (s: SeedAnalysis, level: number) => s.levels.find((l) => l.level === level);

  const levelStats: Row[] = [];
  const perSeed: Row[] = [];
  const meanLevels: Record<string, number | null>[] = [];
  const levelCi: Record<string, number | [number, number]>[] = [];
  for (const level of levels) {
    const uMean = describe(sorted.map((s) => at(s, level)?.u ?? null)).mean;
    const mean: Record<string, number | null> = { level };
    const ci: Record<string, number | [number, number]> = { level };
    for (const m of metrics) {
      const vals = sorted.map((s) => at(s, level)?.[m.name] ?? null);
      const st = describe(vals, confidence);
      levelStats.push({ level, metric: m.name, ...statCols(st), u: uMean });
      mean[m.name] = st.mean;
      if (st.lo !== null && st.hi !== null) ci[m.name] = [st.lo, st.hi];
      sorted.forEach((s, i) => {
        if (at(s, level)) perSeed.push({ seed: s.seed, level, metric: m.name, value: vals[i] ?? null });
      });
    }
    mean.n_seeds = sorted.filter((s) => at(s, level)).length;
    meanLevels.push(mean);
    levelCi.push(ci);
  }
  let bestLevel: number | null = null;
  let bestAcc = -Infinity;
  for (const l of meanLevels)
    if (typeof l.best_val_top1 === 'number' && l.best_val_top1 > bestAcc)
      [bestLevel, bestAcc] = [l.level!, l.best_val_top1];

  const scal = sorted.map((s) => experimentScalars(s.levels));
  const experimentStats: Row[] = [];
  const experimentSeeds: Row[] = [];
  for (const m of EXPERIMENT_METRICS) {
    const vals = scal.map((x) => x[m.name] ?? null);
    experimentStats.push({ metric: m.name, ...statCols(describe(vals, confidence)) });
    sorted.forEach((s, i) => experimentSeeds.push({ seed: s.seed, metric: m.name, value: vals[i] ?? null }));
  }

  const { curves, curveRows } = aggregateCurves(sorted, confidence, bestLevel);
  return {
    seeds: sorted.map((s) => s.seed),
    confidence,
    metrics,
    levelStats,
    perSeed,
    meanLevels,
    levelCi,
    bestLevel,
    experimentStats,
    experimentSeeds,
    curves,
    curveRows,
  };
}

/** Every "metric vs u" curve of the seeds, point by point: mean line and its interval. */
function aggregateCurves(seeds: SeedAnalysis[], confidence: number, bestLevel: number | null) {
  const ids: string[] = [];
  for (const s of seeds) for (const c of s.curves) if (!ids.includes(c.id)) ids.push(c.id);
  const curves: AggregatedCurve[] = [];
  const curveRows: Row[] = [];
  for (const id of ids) {
    const per = seeds.flatMap((s) => s.curves.filter((c) => c.id === id));
    const key = (p: { experiment: string; series: string; level: number }) =>
      `${p.experiment}\0${p.series}\0${p.level}`;
    const groups = new Map<
      string,
      { experiment: string; series: string; level: number; us: number[]; vs: (number | null)[] }
    >();
    for (const c of per)
      for (const p of c.points) {
        if (!groups.has(key(p)))
          groups.set(key(p), { experiment: p.experiment, series: p.series, level: p.level, us: [], vs: [] });
        const g = groups.get(key(p))!;
        g.us.push(p.u);
        g.vs.push(p.value);
      }
    // The best-level square goes on the series the analysis marks (its first), at the mean's best level.
    const firstSeries = per[0]?.points[0]?.series;
    const points: AggregatedPoint[] = [...groups.values()].map((g) => {
      const st = describe(g.vs, confidence);
      return {
        experiment: g.experiment,
        series: g.series,
        level: g.level,
        u: describe(g.us).mean ?? NaN,
        value: st.mean,
        lo: st.lo,
        hi: st.hi,
        sd: st.sd,
        n: st.n,
        best: g.level === bestLevel && g.series === firstSeries,
      };
    });
    const rules = new Map<string, { experiment: string; label: string; vals: number[] }>();
    for (const c of per)
      for (const r of c.rules) {
        const k = `${r.experiment}\0${r.label}`;
        if (!rules.has(k)) rules.set(k, { experiment: r.experiment, label: r.label, vals: [] });
        rules.get(k)!.vals.push(r.value);
      }
    curves.push({
      id,
      title: per[0]!.title,
      caption: per[0]!.caption,
      points,
      rules: [...rules.values()].map((r) => ({
        experiment: r.experiment,
        label: r.label,
        value: describe(r.vals).mean!,
      })),
    });
    for (const p of points)
      curveRows.push({
        figure: id,
        experiment: p.experiment,
        series: p.series,
        level: p.level,
        u: p.u / 100,
        n: p.n,
        mean: p.value,
        sd: p.sd,
        se: p.sd === null ? null : p.sd / Math.sqrt(p.n),
        ci_lo: p.lo,
        ci_hi: p.hi,
      });
  }
  return { curves, curveRows };
}
