/** An experiment's aggregate artifact, as the findings read it (per-seed values, u per level). */
import { ArtifactError, readArrowFile, type Artifact } from '@imp/artifacts';
import type { ExperimentData } from './effects.ts';
import { tableRows, type Row } from './tables.ts';

function table(a: Artifact, name: string): Row[] {
  const tables = ((a.manifest.summary ?? {}) as { tables?: { name?: string; file?: string }[] }).tables ?? [];
  const t = tables.find((x) => x.name === name);
  if (!t?.file || t.file.startsWith('/') || t.file.split('/').includes('..'))
    throw new ArtifactError(
      `${a.dir}/manifest.json: no '${name}' table (is it an aggregate artifact?)`,
      'bad-manifest',
      a.dir,
    );
  return tableRows(readArrowFile(a.file(t.file)));
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function readAggregate(name: string, a: Artifact): ExperimentData {
  const perSeed = table(a, 'per_seed');
  const expSeeds = table(a, 'experiment_seeds');
  const byLevel = new Map<string, Map<number, number>>();
  const metrics = new Set<string>();
  const seeds = new Set<number>();
  const uSum = new Map<number, { s: number; n: number }>();
  for (const r of perSeed) {
    const level = Number(r.level);
    const metric = String(r.metric);
    const seed = Number(r.seed);
    metrics.add(metric);
    seeds.add(seed);
    if (!finite(r.value)) continue;
    const k = `${level}\0${metric}`;
    if (!byLevel.has(k)) byLevel.set(k, new Map());
    byLevel.get(k)!.set(seed, r.value);
    if (metric === 'u') {
      const acc = uSum.get(level) ?? { s: 0, n: 0 };
      uSum.set(level, { s: acc.s + r.value, n: acc.n + 1 });
    }
  }
  if (!uSum.size)
    throw new ArtifactError(`${a.dir}: the aggregate has no per-level 'u' (kept fraction)`, 'bad-manifest', a.dir);
  const scal = new Map<string, Map<number, number>>();
  for (const r of expSeeds) {
    const m = String(r.metric);
    if (!scal.has(m)) scal.set(m, new Map());
    if (finite(r.value)) scal.get(m)!.set(Number(r.seed), r.value);
  }
  return {
    name,
    seeds: [...seeds].sort((x, y) => x - y),
    levelU: new Map([...uSum].map(([l, { s, n }]) => [l, s / n])),
    metrics,
    values: (level, metric) => byLevel.get(`${level}\0${metric}`) ?? new Map(),
    scalars: new Set(scal.keys()),
    scalar: (m) => scal.get(m) ?? new Map(),
  };
}
