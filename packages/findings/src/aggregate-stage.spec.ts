import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openArtifact, readArrowFile, runStage } from '@imp/artifacts';
import { quiet, tempStore } from '@imp/artifacts/testing';
import { aggregateStage } from './aggregate-stage.ts';
import { levelsOf, writeSeedAnalysis } from './test-fixtures.ts';
import { tableRows } from './tables.ts';

const near = (a: unknown, b: number, tol = 1e-9, what = '') =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) <= tol, `${what}: ${String(a)} ≉ ${b}`);

/** Three seeds whose accuracy at each level is base + k/100 + seed offset (−0.01, 0, +0.02). */
async function threeSeeds(store: string) {
  const offsets = [-0.01, 0, 0.02];
  const inputs: Record<string, string> = {};
  for (const [i, off] of offsets.entries()) {
    const a = await writeSeedAnalysis(store, {
      experiment: 'x',
      seed: i,
      levels: levelsOf(4, { acc: (k) => 0.5 + (k === 2 ? 0.1 : k / 100) + off, loc: (k) => 1 + k * 0.1 + off }),
    });
    inputs[`analysis.s${i}`] = a.dir;
  }
  return inputs;
}

test('aggregate: mean, sd, n and the t interval per level and metric, per experiment, per curve point', async () => {
  const store = tempStore();
  const inputs = await threeSeeds(store);
  const r = await runStage(aggregateStage, { config: {}, inputs, store, log: quiet });
  const a = await openArtifact(r.outputs.aggregate!.dir, { kind: 'analysis' });
  const rows = tableRows(readArrowFile(a.file('tables/level_stats.arrow')));
  const acc2 = rows.find((x) => x.level === 2 && x.metric === 'best_val_top1')!;
  // Values 0.59, 0.60, 0.62: mean 0.603333, sd 0.0152753, t(0.975, 2) = 4.30265.
  const sd = Math.sqrt(((0.59 - 0.60333333) ** 2 + (0.6 - 0.60333333) ** 2 + (0.62 - 0.60333333) ** 2) / 2);
  assert.equal(acc2.n, 3);
  near(acc2.mean, 0.6033333333, 1e-9, 'mean');
  near(acc2.sd, sd, 1e-9, 'sd');
  near(acc2.ci_lo, 0.6033333333 - (4.30265272975 * sd) / Math.sqrt(3), 1e-8, 'ci_lo');
  near(acc2.ci_hi, 0.6033333333 + (4.30265272975 * sd) / Math.sqrt(3), 1e-8, 'ci_hi');
  near(acc2.u, 0.49, 1e-12, 'u');
  // Every declared numeric column aggregates (int columns too), none of the others.
  const metrics = new Set(rows.map((x) => x.metric));
  for (const m of [
    'u',
    'best_val_top1',
    'locality_ratio',
    'locality_ratio_strict',
    'r_half',
    'ipr_mean',
    'alive_nodes',
  ])
    assert.ok(metrics.has(m), m);
  assert.ok(!metrics.has('level'));
  // Constant across seeds: sd 0, a zero-width interval.
  const alive = rows.find((x) => x.level === 1 && x.metric === 'alive_nodes')!;
  assert.equal(alive.sd, 0);
  assert.equal(alive.ci_lo, 100);
  // Per-seed values for paired comparisons.
  const perSeed = tableRows(readArrowFile(a.file('tables/per_seed.arrow')));
  assert.equal(perSeed.filter((x) => x.metric === 'best_val_top1' && x.level === 2).length, 3);
  near(perSeed.find((x) => x.seed === 2 && x.level === 2 && x.metric === 'best_val_top1')!.value, 0.62, 1e-12);
  // Experiment scalars: peak at level 2 in every seed, gain 0.1 − 0 over dense.
  const s = a.manifest.summary as {
    seeds: number[];
    best_level: number;
    experiment: Record<string, { n: number; mean: number; sd: number }>;
    levels: Record<string, number>[];
    curves: { id: string; data: string }[];
  };
  assert.deepEqual(s.seeds, [0, 1, 2]);
  assert.equal(s.best_level, 2);
  near(s.experiment.peak_val_top1!.mean, 0.6033333333, 1e-9, 'peak');
  near(s.experiment.u_at_peak!.mean, 0.49, 1e-12, 'u at peak');
  near(s.experiment.gain_over_dense!.mean, 0.1, 1e-12, 'gain');
  near(s.experiment.gain_over_dense!.sd, 0, 1e-12, 'gain sd (same offset at both levels)');
  near(s.levels[2]!.best_val_top1, 0.6033333333, 1e-9, 'summary mean row');
  // Curves: band data per point, means of the seeds' rows.
  assert.deepEqual(
    s.curves.map((c) => c.id),
    ['accuracy_vs_u', 'locality_vs_u'],
  );
  const band = JSON.parse(readFileSync(a.file(s.curves[0]!.data), 'utf8')) as {
    points: { series: string; level: number; value: number; lo: number; hi: number; n: number; best: boolean }[];
    rules: { label: string; value: number }[];
  };
  const p = band.points.find((x) => x.series === 'best' && x.level === 2)!;
  near(p.value, 0.6033333333, 1e-9, 'band mean');
  near(p.lo, acc2.ci_lo as number, 1e-12, 'band lo = table ci_lo');
  assert.equal(p.n, 3);
  assert.equal(p.best, true);
  near(band.rules[0]!.value, 0.5033333333, 1e-9, 'dense rule: mean over seeds');
  // Parquet twins exist for every table.
  for (const t of ['level_stats', 'per_seed', 'experiment_stats', 'experiment_seeds', 'curves'])
    assert.ok(
      a.manifest.files.some((f) => f.path === `tables/${t}.parquet`),
      t,
    );
});

test('aggregate: same inputs give the same bytes; bad roles are one clear error', async () => {
  const store = tempStore();
  const inputs = await threeSeeds(store);
  const r1 = await runStage(aggregateStage, { config: {}, inputs, store, log: quiet });
  const files1 = (await openArtifact(r1.outputs.aggregate!.dir)).manifest.files;
  const other = tempStore();
  const r2 = await runStage(aggregateStage, { config: {}, inputs: await threeSeeds(other), store: other, log: quiet });
  assert.deepEqual((await openArtifact(r2.outputs.aggregate!.dir)).manifest.files, files1);
  await assert.rejects(
    runStage(aggregateStage, { config: {}, inputs: { 'analysis.first': inputs['analysis.s0']! }, store, log: quiet }),
    /input 'analysis.first': expected analysis.s<seed>/,
  );
  await assert.rejects(
    runStage(aggregateStage, { config: { confidence: 1.5 }, inputs, store, log: quiet }),
    /confidence/,
  );
});
