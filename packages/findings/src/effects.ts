/**
 * A claim's effect, per seed, then over seeds: the statistic, its t interval and the
 * verdict by the claim's rule. Per-seed first, so differences are paired by seed (the
 * seeds' chains share nothing but the dataset: a paired difference removes what the seed
 * does to both experiments alike).
 */
import { describe, type Stat } from './stats.ts';
import { experimentsOf, type Claim, type Effect, type Rule } from './claims.ts';

export type Verdict = 'reproduced' | 'contradicted' | 'inconclusive';

/** What the effects read of one experiment's aggregate. */
export interface ExperimentData {
  name: string;
  seeds: number[];
  /** level → mean u over seeds. */
  levelU: Map<number, number>;
  /** Per-level metrics present. */
  metrics: Set<string>;
  /** seed → value of a per-level metric (finite values only). */
  values(level: number, metric: string): Map<number, number>;
  /** Experiment scalars present, and seed → value of one. */
  scalars: Set<string>;
  scalar(metric: string): Map<number, number>;
}

/** One point where a claim is read (one u; a range has one per level). */
export interface EffectPoint {
  u: number | null;
  levels: string;
  stat: Stat;
  verdict: Verdict;
}

export interface Finding {
  id: string;
  title: string;
  kind: Effect['kind'] | 'pending';
  experiments: string[];
  metric: string;
  paper: string;
  paperValue: number | null;
  rule: string;
  verdict: Verdict | 'pending';
  /** The deciding point (for a range: the level that decides the verdict). */
  point: EffectPoint | null;
  points: EffectPoint[];
  note: string;
}

export class ClaimError extends Error {}

const fmtU = (u: number) => `${Number((u * 100).toPrecision(3))} %`;

export function verdictOf(st: Stat, rule: Rule): Verdict {
  if (st.lo === null || st.hi === null) return 'inconclusive';
  const v = rule.value;
  switch (rule.reproducedIf) {
    case 'above':
      return st.lo > v ? 'reproduced' : st.hi < v ? 'contradicted' : 'inconclusive';
    case 'below':
      return st.hi < v ? 'reproduced' : st.lo > v ? 'contradicted' : 'inconclusive';
    case 'equal': {
      if (st.lo > v || st.hi < v) return 'contradicted';
      const t = rule.tolerance;
      return t !== undefined && (st.lo < v - t || st.hi > v + t) ? 'inconclusive' : 'reproduced';
    }
  }
}

/** How far a point is from failing its rule (negative: not reproduced there). */
function margin(st: Stat, rule: Rule): number {
  if (st.lo === null || st.hi === null) return -Infinity;
  const v = rule.value;
  if (rule.reproducedIf === 'above') return st.lo - v;
  if (rule.reproducedIf === 'below') return v - st.hi;
  return Math.min(v - st.lo, st.hi - v);
}

/**
 * The confidence of each of n intervals read together over a u range (Bonferroni). With 15
 * levels each read at 95 %, a claim that holds exactly would still see some level's interval
 * exclude the value about half the time (1 − 0.95^15 ≈ 54 %), and "one level contradicting
 * contradicts" would then report a false contradiction; at 1 − 5 %/n the n intervals hold
 * together with at least the stated confidence.
 */
export const familyConfidence = (confidence: number, n: number): number =>
  n > 1 ? 1 - (1 - confidence) / n : confidence;

/** Several points: contradicted at any, reproduced only at all; the deciding point is reported. */
function combine(points: EffectPoint[], rule: Rule): { verdict: Verdict; point: EffectPoint | null } {
  if (!points.length) return { verdict: 'inconclusive', point: null };
  const contra = points.filter((p) => p.verdict === 'contradicted');
  const pool = contra.length ? contra : points;
  const allEqual = !contra.length && rule.reproducedIf === 'equal' && points.every((p) => p.verdict === 'reproduced');
  // Reproduced "equal" everywhere: report the level furthest from the value; else the weakest point.
  const dev = (p: EffectPoint) => Math.abs((p.stat.mean ?? rule.value) - rule.value);
  const point = allEqual
    ? pool.reduce((a, b) => (dev(b) > dev(a) ? b : a))
    : pool.reduce((a, b) => (margin(b.stat, rule) < margin(a.stat, rule) ? b : a));
  const verdict = contra.length
    ? 'contradicted'
    : points.every((p) => p.verdict === 'reproduced')
      ? 'reproduced'
      : 'inconclusive';
  return { verdict, point };
}

/** The level whose mean u is nearest to u in log scale (ties: the denser level). */
export function nearestLevel(d: ExperimentData, u: number): number {
  let best: number | null = null;
  let dist = Infinity;
  for (const [level, lu] of [...d.levelU].sort((a, b) => a[0] - b[0])) {
    const x = Math.abs(Math.log(lu) - Math.log(u));
    if (x < dist - 1e-12) [best, dist] = [level, x];
  }
  if (best === null) throw new ClaimError(`experiment ${d.name} has no levels`);
  return best;
}

/** Levels whose mean u lies in [lo, hi] (a relative slack of 1e-9 for rounding). */
function levelsIn(d: ExperimentData, [lo, hi]: [number, number]): number[] {
  return [...d.levelU]
    .filter(([, u]) => u >= lo * (1 - 1e-9) && u <= hi * (1 + 1e-9))
    .map(([l]) => l)
    .sort((a, b) => a - b);
}

/** Least-squares slope of y on x; null with fewer than two distinct x. */
export function slope(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

function needMetric(d: ExperimentData, metric: string, id: string) {
  if (!d.metrics.has(metric))
    throw new ClaimError(
      `claim ${id}: experiment ${d.name} has no per-level metric '${metric}' (it has: ${[...d.metrics].join(', ')})`,
    );
}

function needScalar(d: ExperimentData, metric: string, id: string) {
  if (!d.scalars.has(metric))
    throw new ClaimError(
      `claim ${id}: experiment ${d.name} has no experiment scalar '${metric}' (it has: ${[...d.scalars].join(', ')})`,
    );
}

/** The sentence of a rule, as RESULTS.md and the page print it. */
export function ruleText(c: Claim, confidence: number): string {
  const e = c.effect!;
  const r = c.rule!;
  const pct = `${Math.round(confidence * 100)} %`;
  const what =
    e.kind === 'difference'
      ? `the paired difference ${e.a} − ${e.b} of ${e.metric}${typeof e.u === 'number' ? ` at u ≈ ${fmtU(e.u)}` : ''}`
      : e.kind === 'reference' || e.kind === 'scalar'
        ? `${e.metric} of ${e.experiment}${e.kind === 'reference' && typeof e.u === 'number' ? ` at u ≈ ${fmtU(e.u)}` : ''}`
        : e.kind === 'trend'
          ? `the slope of ${e.metric} per decade of pruning (−log10 u) in ${e.experiment}, levels with u in [${fmtU(e.u[0])}, ${fmtU(e.u[1])}]`
          : `the slope of ${e.metric} along ${e.experiments.join(' → ')} at u ${fmtU(e.u)}`;
  const v = r.value;
  const core =
    r.reproducedIf === 'equal'
      ? `reproduced if the ${pct} CI of ${what} contains ${v}${r.tolerance !== undefined ? ` and lies within ${v} ± ${r.tolerance}` : ''}; contradicted if it excludes ${v}; else inconclusive`
      : `reproduced if the ${pct} CI of ${what} lies ${r.reproducedIf} ${v}; contradicted if it lies ${r.reproducedIf === 'above' ? 'below' : 'above'} ${v}; else inconclusive`;
  const range = (e.kind === 'difference' || e.kind === 'reference') && Array.isArray(e.u) ? e.u : null;
  return range
    ? `${core} — at every level with u in [${fmtU(range[0])}, ${fmtU(range[1])}] (one level contradicting contradicts; ` +
        `each of the L levels' intervals at 1 − ${Math.round((1 - confidence) * 100)} %/L, Bonferroni, so that the L of them hold together at ${pct})`
    : core;
}

/** Computes one claim's effect, its interval and its verdict from the experiments' aggregates. */
export function evaluateClaim(c: Claim, data: Map<string, ExperimentData>, confidence: number): Finding {
  const base = {
    id: c.id,
    title: c.title,
    paper: c.paper,
    paperValue: c.paperValue ?? null,
  };
  if (!c.effect)
    return {
      ...base,
      kind: 'pending',
      experiments: [],
      metric: '',
      rule: '',
      verdict: 'pending',
      point: null,
      points: [],
      note: c.pending ?? '',
    };
  const e = c.effect;
  const rule = c.rule!;
  const get = (name: string) => {
    const d = data.get(name);
    if (!d) throw new ClaimError(`claim ${c.id}: no aggregate for experiment ${name}`);
    return d;
  };
  const point = (stat: Stat, u: number | null, levels: string): EffectPoint => ({
    u,
    levels,
    stat,
    verdict: verdictOf(stat, rule),
  });
  const points: EffectPoint[] = [];
  let note = '';
  switch (e.kind) {
    case 'difference': {
      const [A, B] = [get(e.a), get(e.b)];
      if (e.u === undefined) {
        for (const d of [A, B]) needScalar(d, e.metric, c.id);
        const [va, vb] = [A.scalar(e.metric), B.scalar(e.metric)];
        const diffs = [...va].filter(([s]) => vb.has(s)).map(([s, v]) => v - vb.get(s)!);
        points.push(point(describe(diffs, confidence), null, ''));
      }
      const levelsA = e.u === undefined ? [] : Array.isArray(e.u) ? levelsIn(A, e.u) : [nearestLevel(A, e.u)];
      const conf = familyConfidence(confidence, Array.isArray(e.u) ? levelsA.length : 1);
      if (e.u !== undefined) {
        needMetric(A, e.metric, c.id);
        needMetric(B, e.metric, c.id);
      }
      for (const la of levelsA) {
        const u = A.levelU.get(la)!;
        const lb = nearestLevel(B, u);
        const va = A.values(la, e.metric);
        const vb = B.values(lb, e.metric);
        const diffs = [...va].filter(([s]) => vb.has(s)).map(([s, v]) => v - vb.get(s)!);
        const ub = B.levelU.get(lb)!;
        // B's u is named when its nearest level is not at A's u (one-shot vs IMP, say).
        const off = Math.abs(Math.log(ub / u)) > 0.05 ? ` (u ${fmtU(ub)})` : '';
        points.push(point(describe(diffs, conf), u, `${e.a} L${la}, ${e.b} L${lb}${off}`));
      }
      const common = A.seeds.filter((s) => B.seeds.includes(s));
      if (common.length < Math.max(A.seeds.length, B.seeds.length))
        note = `paired over the ${common.length} seeds both have (${common.join(', ')})`;
      break;
    }
    case 'reference': {
      const d = get(e.experiment);
      needMetric(d, e.metric, c.id);
      const levels = Array.isArray(e.u) ? levelsIn(d, e.u) : [nearestLevel(d, e.u)];
      const conf = familyConfidence(confidence, levels.length);
      for (const l of levels)
        points.push(point(describe([...d.values(l, e.metric).values()], conf), d.levelU.get(l)!, `L${l}`));
      break;
    }
    case 'scalar': {
      const d = get(e.experiment);
      needScalar(d, e.metric, c.id);
      points.push(point(describe([...d.scalar(e.metric).values()], confidence), null, ''));
      break;
    }
    case 'trend': {
      const d = get(e.experiment);
      needMetric(d, e.metric, c.id);
      const levels = levelsIn(d, e.u);
      const slopes = d.seeds.map((s) => {
        const xy = levels.flatMap((l) => {
          const v = d.values(l, e.metric).get(s);
          return v === undefined ? [] : [[-Math.log10(d.levelU.get(l)!), v] as const];
        });
        return slope(
          xy.map((p) => p[0]),
          xy.map((p) => p[1]),
        );
      });
      points.push(point(describe(slopes, confidence), null, levels.length ? `L${levels[0]}–L${levels.at(-1)}` : ''));
      if (levels.length < 2) note = `fewer than two levels with u in the range`;
      break;
    }
    case 'ordering': {
      const ds = e.experiments.map(get);
      for (const d of ds) needMetric(d, e.metric, c.id);
      const at = ds.map((d) => nearestLevel(d, e.u));
      const seeds = ds[0]!.seeds.filter((s) => ds.every((d) => d.seeds.includes(s)));
      const slopes = seeds.map((s) => {
        const xy = ds.flatMap((d, i) => {
          const v = d.values(at[i]!, e.metric).get(s);
          return v === undefined ? [] : [[i, v] as const];
        });
        return xy.length === ds.length
          ? slope(
              xy.map((p) => p[0]),
              xy.map((p) => p[1]),
            )
          : null;
      });
      points.push(point(describe(slopes, confidence), e.u, ds.map((d, i) => `${d.name} L${at[i]}`).join(', ')));
      break;
    }
  }
  const { verdict, point: decider } = combine(points, rule);
  return {
    ...base,
    kind: e.kind,
    experiments: experimentsOf(e),
    metric: e.metric,
    rule: ruleText(c, confidence),
    verdict,
    point: decider,
    points,
    note,
  };
}
