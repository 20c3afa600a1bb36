import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Experiment } from './experiment-schema.ts';
import { planExperiment, type Plan } from './plan.ts';
import { planStatus } from './status.ts';
import { nodesForFile } from './nx-nodes.ts';
import { stageKind } from './slurm/resources.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = {
  name: 't',
  data: { config: { source: { name: 'mnist' } } },
  train: { config: { arch: 'f8:x', steps: 10, batchSize: 10 } },
  prune: { levels: 2, config: {} },
  rewind: { step: 3 },
};
const plan = (over: Record<string, unknown>) => planExperiment(Experiment.parse({ ...base, ...over }), '/store');
const idsOf = (p: Plan) =>
  Object.fromEntries(
    p.tasks.map((t) => [
      t.name,
      Object.values(t.outputs)
        .map((o) => o.id)
        .join(),
    ]),
  );
const byName = (p: Plan) => Object.fromEntries(p.tasks.map((t) => [t.name, t]));

test('seeds unroll one chain per seed, sharing the dataset; names are valid Nx project names', async () => {
  const p = await plan({ seeds: [0, 1, 2] });
  assert.deepEqual(p.seeds, [0, 1, 2]);
  const names = p.tasks.map((t) => t.name);
  for (const s of [0, 1, 2])
    for (const t of ['train-L0', 'mask-L1', 'rewind-L1', 'train-L1', 'mask-L2', 'rewind-L2', 'train-L2', 'analysis'])
      assert.ok(names.includes(`${t}-s${s}`), `${t}-s${s} planned`);
  assert.equal(names.filter((n) => n === 'data').length, 1, 'one dataset');
  assert.ok(names.includes('report'));
  for (const n of names) assert.match(n, /^[A-Za-z0-9][A-Za-z0-9-]*$/);
  const t = byName(p);
  // Every chain trains on the one dataset artifact.
  const dataset = Object.values(t.data!.outputs)[0]!.id;
  for (const s of [0, 1, 2]) {
    assert.equal(t[`train-L0-s${s}`]!.inputs.dataset!.id, dataset);
    assert.equal(t[`analysis-s${s}`]!.inputs.dataset!.id, dataset);
    assert.equal(t[`train-L0-s${s}`]!.config.seed, s);
    assert.equal(t[`mask-L2-s${s}`]!.config.seed, s);
    assert.equal(t[`analysis-s${s}`]!.config.seed, s);
    assert.deepEqual(t[`train-L2-s${s}`]!.dependsOn.sort(), [`mask-L2-s${s}`, `rewind-L2-s${s}`, 'data'].sort());
  }
  assert.equal(t.data!.config.seed, 0, 'the data seed defaults to seed');
  // Chains differ by seed.
  assert.notEqual(idsOf(p)['train-L0-s0'], idsOf(p)['train-L0-s1']);
});

test("adding a seed keeps the other seeds' ids; one seed in the list is the single-seed experiment", async () => {
  const single = idsOf(await plan({}));
  const { report: r1, ...one } = idsOf(await plan({ seeds: [0] }));
  const { report: r0, ...rest } = single;
  assert.deepEqual(one, rest, 'seeds: [0] plans what seed: 0 plans (same names, same ids)');
  assert.notEqual(r1, r0, 'but the report shows the experiment file, which now names its seeds');
  const two = idsOf(await plan({ seeds: [0, 1] }));
  const three = idsOf(await plan({ seeds: [2, 0, 1] }));
  for (const [name, id] of Object.entries(two))
    if (/-s\d+$/.test(name)) assert.equal(three[name], id, `${name} keeps its id when seed 2 is added`);
  for (const name of Object.keys(single))
    if (name !== 'report' && name !== 'data') assert.equal(two[`${name}-s0`], single[name], `${name}: seed 0's chain`);
  assert.equal(two.data, single.data);
  // The seed list changes only what spans seeds (the report shows the list).
  assert.notEqual(two.report, three.report);
});

test('dataSeed is separate from the training seeds', async () => {
  const a = byName(await plan({ seeds: [0, 1] }));
  const b = byName(await plan({ seeds: [0, 1], dataSeed: 7 }));
  assert.equal(b.data!.config.seed, 7);
  assert.notEqual(Object.values(a.data!.outputs)[0]!.id, Object.values(b.data!.outputs)[0]!.id);
  assert.equal(b['train-L0-s1']!.config.seed, 1);
  // seed moves the data seed's default, not the training seeds given by the list.
  const c = byName(await plan({ seed: 5, seeds: [0, 1] }));
  assert.equal(c.data!.config.seed, 5);
  assert.equal(c['train-L0-s0']!.config.seed, 0);
});

test('seeds must be distinct; status lists every seed task', async () => {
  assert.throws(() => Experiment.parse({ ...base, seeds: [1, 1] }), /distinct/);
  assert.throws(() => Experiment.parse({ ...base, seeds: [] }));
  const p = await plan({ seeds: [3, 4] });
  const st = planStatus({ ...p, store: '/nonexistent-imp-store' });
  assert.equal(st.length, p.tasks.length);
  assert.match(st.find((s) => s.task === 'train-L1-s4')!.why, /waits for .*rewind-L1-s4/);
});

test('the Nx plugin makes one project per seed task, with edges inside each chain; Slurm kinds drop the seed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imp-seeds-'));
  writeFileSync(join(dir, 't.json'), JSON.stringify({ ...base, seeds: [0, 1] }));
  const { projects } = await nodesForFile(join(dir, 't.json'), dir);
  const byProject = Object.fromEntries(Object.values(projects).map((p) => [p.name, p]));
  assert.deepEqual(byProject['t--train-L1-s1']!.metadata.impDependsOn.sort(), [
    't--data',
    't--mask-L1-s1',
    't--rewind-L1-s1',
  ]);
  assert.ok(byProject['t--analysis-s0'] && byProject['exp-t']);
  const cmd = (byProject['t--train-L2-s0']!.targets.run!.options as { command: string }).command;
  assert.match(cmd, / train-L2-s0 --expect /);
  assert.equal(stageKind('train-L3-s1'), 'train');
  assert.equal(stageKind('analysis-s12'), 'analysis');
  assert.equal(stageKind('mask-L12'), 'mask');
});
