/**
 * Reading the per-seed analysis artifacts an aggregate is made of: the seed of each (from
 * its input role, `analysis.s<seed>`), its `levels` table with the numeric columns the
 * analysis declares, and the data of its "metric vs u" curves (Vega-Lite specs whose rows
 * sit in `datasets.points`, see packages/analysis/src/charts/metric-vs-u.ts).
 */
import { readFileSync } from 'node:fs';
import { ArtifactError, readArrowFile, type Artifact } from '@imp/artifacts';
import { tableRows, type ColumnDecl } from './tables.ts';

export interface CurvePoint {
  experiment: string;
  series: string;
  level: number;
  u: number;
  value: number | null;
}

export interface SeedCurve {
  id: string;
  title: string;
  caption: string;
  points: CurvePoint[];
  rules: { experiment: string; label: string; value: number }[];
}

export interface SeedAnalysis {
  seed: number;
  dir: string;
  /** Numeric columns the analysis declares for `levels` (level excluded), in its order. */
  columns: ColumnDecl[];
  levels: Record<string, number | null>[];
  curves: SeedCurve[];
}

interface DeclaredTable {
  name?: string;
  file?: string;
  columns?: { name: string; type?: string; description?: string; format?: string }[];
}

const bad = (a: Artifact, what: string) => new ArtifactError(`${a.dir}/manifest.json: ${what}`, 'bad-manifest', a.dir);

/** `analysis.s3` → 3; anything else is an error naming the role. */
export function seedOfRole(role: string): number {
  const m = /^analysis\.s(\d+)$/.exec(role);
  if (!m) throw new ArtifactError(`input '${role}': expected analysis.s<seed> (e.g. analysis.s0)`, 'bad-input');
  return Number(m[1]);
}

function rel(a: Artifact, p: unknown, what: string): string {
  if (typeof p !== 'string' || p.startsWith('/') || p.split('/').includes('..'))
    throw bad(a, `${what} must be a path inside the artifact, got ${JSON.stringify(p)}`);
  return p;
}

export function readSeedAnalysis(role: string, a: Artifact): SeedAnalysis {
  const seed = seedOfRole(role);
  const summary = (a.manifest.summary ?? {}) as { tables?: DeclaredTable[]; figures?: Record<string, unknown>[] };
  const decl = (summary.tables ?? []).find((t) => t.name === 'levels');
  if (!decl?.columns?.length) throw bad(a, "summary declares no 'levels' table with columns");
  const columns: ColumnDecl[] = decl.columns
    .filter((c) => c.name !== 'level' && (c.type === 'float' || c.type === 'int'))
    .map((c) => ({
      name: c.name,
      type: 'float',
      description: c.description ?? '',
      ...(c.format === 'percent' ? { format: 'percent' as const } : {}),
    }));
  const rows = tableRows(readArrowFile(a.file(rel(a, decl.file, "the 'levels' table file"))));
  const levels = rows.map((r) => {
    if (typeof r.level !== 'number') throw bad(a, "the 'levels' table has no int column 'level'");
    const out: Record<string, number | null> = { level: r.level };
    for (const c of columns) {
      const v = r[c.name];
      out[c.name] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    }
    return out;
  });
  const curves: SeedCurve[] = [];
  for (const f of summary.figures ?? []) {
    if (f.kind !== 'metric-vs-u' || typeof f.level === 'number' || typeof f.id !== 'string' || !f.spec) continue;
    const file = rel(a, f.spec, `figure ${f.id}'s spec`);
    let spec: { datasets?: { points?: unknown; rules?: unknown } };
    try {
      spec = JSON.parse(readFileSync(a.file(file), 'utf8'));
    } catch (e) {
      throw new ArtifactError(`${a.dir}/${file}: not a JSON spec (${(e as Error).message})`, 'bad-manifest', a.dir);
    }
    if (!Array.isArray(spec.datasets?.points))
      throw new ArtifactError(
        `${a.dir}/${file}: a metric-vs-u spec must keep its rows in datasets.points`,
        'bad-manifest',
        a.dir,
      );
    curves.push({
      id: f.id,
      title: typeof f.title === 'string' ? f.title : f.id,
      caption: typeof f.caption === 'string' ? f.caption : '',
      points: (spec.datasets.points as CurvePoint[]).map((p) => ({
        experiment: String(p.experiment ?? ''),
        series: String(p.series ?? ''),
        level: Number(p.level),
        u: Number(p.u),
        value: typeof p.value === 'number' && Number.isFinite(p.value) ? p.value : null,
      })),
      rules: Array.isArray(spec.datasets.rules)
        ? (spec.datasets.rules as { experiment?: unknown; label?: unknown; value?: unknown }[])
            .filter((r) => typeof r.value === 'number')
            .map((r) => ({
              experiment: String(r.experiment ?? ''),
              label: String(r.label ?? ''),
              value: r.value as number,
            }))
        : [],
    });
  }
  return { seed, dir: a.dir, columns, levels, curves };
}
