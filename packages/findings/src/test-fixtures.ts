/**
 * Test fixtures (specs only): analysis artifacts shaped like the analysis contract — a
 * `levels` table with declared columns and "metric vs u" curve specs with their rows in
 * `datasets.points` — with hand-chosen numbers, so aggregates and findings have known answers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArtifact, type Artifact } from '@imp/artifacts';
import { writeTable, type ColumnDecl } from './tables.ts';

export type LevelValues = Record<string, number | null> & { level: number };

const DECLARED: ColumnDecl[] = [
  { name: 'u', type: 'float', format: 'percent', description: 'kept fraction' },
  { name: 'best_val_top1', type: 'float', format: 'percent', description: 'best val top-1' },
  { name: 'final_val_top1', type: 'float', format: 'percent', description: 'final val top-1' },
  { name: 'locality_ratio', type: 'float', description: 'vs the uniform null' },
  { name: 'locality_ratio_strict', type: 'float', description: 'vs the strict null' },
  { name: 'r_half', type: 'float', description: 'half-maximum radius' },
  { name: 'ipr_mean', type: 'float', description: 'mean IPR' },
  { name: 'alive_nodes', type: 'int', description: 'nodes with an input' },
];

/** IMP-like levels: u = 0.7^k; accuracy, locality from the given functions of k. */
export function levelsOf(
  n: number,
  f: { acc: (k: number) => number; loc: (k: number) => number; rhalf?: (k: number) => number },
): LevelValues[] {
  return Array.from({ length: n }, (_, k) => ({
    level: k,
    u: 0.7 ** k,
    best_val_top1: f.acc(k),
    final_val_top1: f.acc(k) - 0.01,
    locality_ratio: f.loc(k),
    locality_ratio_strict: f.loc(k) * 0.9 + 0.1,
    r_half: f.rhalf ? f.rhalf(k) : 10 - k,
    ipr_mean: 0.001 * (k + 1),
    alive_nodes: 100,
  }));
}

/** Writes one seed's analysis artifact (tables/levels, two curves) into `store`. */
export async function writeSeedAnalysis(
  store: string,
  o: { experiment: string; seed: number; levels: LevelValues[] },
): Promise<Artifact> {
  const { artifact } = await writeArtifact(
    {
      kind: 'analysis',
      role: 'analysis',
      stage: 'analysis',
      algoVersion: 'fixture',
      config: { fixture: o.experiment, seed: o.seed },
      upstream: {},
    },
    async (dir) => {
      const levelsTable = writeTable(
        dir,
        {
          name: 'levels',
          title: 'per level',
          columns: [{ name: 'level', type: 'int', description: 'IMP level' }, ...DECLARED],
        },
        o.levels.map((l) =>
          Object.fromEntries([['level', l.level], ...DECLARED.map((c) => [c.name, l[c.name] ?? null])]),
        ),
      );
      mkdirSync(join(dir, 'figures'), { recursive: true });
      const curve = (id: string, series: [string, string][], rules: { label: string; value: number }[]) => {
        const spec = {
          usermeta: { kind: 'metric-vs-u' },
          datasets: {
            points: series.flatMap(([name, key]) =>
              o.levels.map((l) => ({
                experiment: 'IMP',
                series: name,
                level: l.level,
                u: l.u! * 100,
                value: l[key],
                best: false,
              })),
            ),
            rules: rules.map((r) => ({ experiment: 'IMP', ...r })),
          },
          layer: [{ data: { name: 'points' }, mark: { type: 'line' }, encoding: {} }],
        };
        writeFileSync(join(dir, 'figures', `${id}.vl.json`), JSON.stringify(spec));
        writeFileSync(join(dir, 'figures', `${id}.svg`), '<svg xmlns="http://www.w3.org/2000/svg"/>');
        return {
          id,
          kind: 'metric-vs-u',
          file: `figures/${id}.svg`,
          spec: `figures/${id}.vl.json`,
          title: id,
          caption: '',
        };
      };
      const figures = [
        curve(
          'accuracy_vs_u',
          [
            ['best', 'best_val_top1'],
            ['final', 'final_val_top1'],
          ],
          [{ label: 'dense', value: o.levels[0]!.best_val_top1! }],
        ),
        curve(
          'locality_vs_u',
          [
            ['vs uniform random mask', 'locality_ratio'],
            ['vs strict null', 'locality_ratio_strict'],
          ],
          [{ label: 'no locality', value: 1 }],
        ),
      ];
      return { summary: { levels: o.levels, figures, tables: [levelsTable] } };
    },
    store,
  );
  return artifact;
}
