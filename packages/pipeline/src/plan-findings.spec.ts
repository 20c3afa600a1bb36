import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperimentFile } from './load-experiment.ts';
import { fileTasks, planFindings } from './plan-findings.ts';
import { nodesForFile } from './nx-nodes.ts';
import { loadUnits } from './slurm/units.ts';

const exp = (name: string, seeds: number[]) => ({
  name,
  seeds,
  data: { config: { source: { name: 'mnist' } } },
  train: { config: { arch: 'f8:x', steps: 10, batchSize: 10 } },
  prune: { levels: 2, config: {} },
  rewind: { step: 3 },
});
const claims = [
  {
    id: 'd',
    title: 'a beats b',
    effect: { kind: 'difference', a: 'a', b: 'b', metric: 'best_val_top1', u: 0.5 },
    rule: { reproducedIf: 'above' },
  },
];

function workspace(files: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'imp-findings-plan-'));
  for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), JSON.stringify(v));
  return dir;
}

test('a findings file plans the experiments its claims name and a findings task over their aggregates', async () => {
  const dir = workspace({
    'a.json': exp('a', [0, 1, 2]),
    'b.json': exp('b', [0, 1]),
    'findings.yaml': { name: 'findings', claims },
  });
  const loaded = loadExperimentFile(join(dir, 'findings.yaml'));
  assert.equal(loaded.kind, 'findings');
  if (loaded.kind !== 'findings') return;
  const fp = await planFindings(loaded.findings, loaded.path, dir, '/store');
  assert.deepEqual(
    fp.experiments.map((e) => e.plan.experiment.name),
    ['a', 'b'],
  );
  const [findings, page] = fp.tasks;
  assert.equal(findings!.name, 'findings');
  assert.deepEqual(Object.keys(findings!.inputs), ['aggregate.a', 'aggregate.b']);
  const aggA = fp.experiments[0]!.plan.tasks.find((t) => t.name === 'aggregate')!;
  assert.equal(findings!.inputs['aggregate.a']!.id, Object.values(aggA.outputs)[0]!.id);
  assert.equal(page!.inputs.findings!.id, Object.values(findings!.outputs)[0]!.id);
  // The page also takes each experiment's report, to link it.
  assert.deepEqual(Object.keys(page!.inputs), ['findings', 'report.a', 'report.b']);
  const reportA = fp.experiments[0]!.plan.tasks.find((t) => t.name === 'report')!;
  assert.equal(page!.inputs['report.a']!.id, Object.values(reportA.outputs)[0]!.id);
  assert.deepEqual(
    (await fileTasks(loaded, dir, '/store')).map((t) => t.name),
    ['findings', 'findings-page'],
  );

  // The Nx plugin: findings depends on each experiment's aggregate, the page on findings and
  // the reports; the memo reads their files.
  const { projects, reads } = await nodesForFile(join(dir, 'findings.yaml'), dir);
  const byName = Object.fromEntries(Object.values(projects).map((p) => [p.name, p]));
  assert.deepEqual(byName['findings--findings']!.metadata.impDependsOn, ['a--aggregate', 'b--aggregate']);
  assert.deepEqual(byName['findings--findings-page']!.metadata.impDependsOn, [
    'findings--findings',
    'a--report',
    'b--report',
  ]);
  assert.deepEqual(reads.sort(), ['a.json', 'b.json', 'findings.yaml']);

  // Slurm: the experiments come along, then the findings unit with its edges to their aggregates.
  const units = await loadUnits([join(dir, 'findings.yaml')], { store: '/store', pipelinesDir: dir });
  assert.deepEqual(
    units.map((u) => u.name),
    ['a', 'b', 'findings'],
  );
  assert.deepEqual(units[2]!.tasks[0]!.deps, [
    ['a', 'aggregate'],
    ['b', 'aggregate'],
  ]);
  assert.deepEqual(units[2]!.tasks[1]!.deps, [
    ['findings', 'findings'],
    ['a', 'report'],
    ['b', 'report'],
  ]);
});

test('a findings file: one-seed experiments, unknown experiments and bad claims are clear errors', async () => {
  const plan = async (files: Record<string, unknown>) => {
    const dir = workspace(files);
    const loaded = loadExperimentFile(join(dir, 'findings.yaml'));
    if (loaded.kind !== 'findings') throw new Error('not a findings file');
    return planFindings(loaded.findings, loaded.path, dir, '/store');
  };
  await assert.rejects(
    plan({ 'a.json': exp('a', [0, 1]), 'b.json': exp('b', [0]), 'findings.yaml': { name: 'findings', claims } }),
    /experiment 'b' .* has 1 seed; a finding needs at least two/,
  );
  await assert.rejects(
    plan({ 'a.json': exp('a', [0, 1]), 'findings.yaml': { name: 'findings', claims } }),
    /no experiment 'b'/,
  );
  await assert.rejects(
    plan({
      'a.json': exp('a', [0, 1]),
      'b.json': exp('b', [0, 1]),
      'findings.yaml': { name: 'findings', claims: [{ ...claims[0], rule: { reproducedIf: 'bigger' } }] },
    }),
    /findings file .*field 'claims\.0\.rule\.reproducedIf'/,
  );
});
