import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Experiment } from './experiment-schema.ts';
import { planExperiment } from './plan.ts';
import { diffPlans } from './status.ts';
import { deepMerge, findExperimentFile } from './load-experiment.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ConfigError } from '@imp/artifacts';

const base = Experiment.parse({
  name: 't',
  data: { config: { source: { name: 'mnist' } } },
  train: { config: { arch: 'f8:x', steps: 10, batchSize: 10 } },
  prune: { levels: 2, config: {} },
  rewind: { step: 3 },
});
const ids = async (e: unknown) => {
  const p = await planExperiment(Experiment.parse(e), '/store');
  return Object.fromEntries(
    p.tasks.map((t) => [
      t.name,
      Object.values(t.outputs)
        .map((o) => o.id)
        .join(),
    ]),
  );
};
const changed = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).filter((k) => a[k] !== b[k]);

test('levels unroll into data → train-L0 → mask → rewind → train … → analysis → report', async () => {
  const p = await planExperiment(base, '/store');
  assert.deepEqual(
    p.tasks.map((t) => t.name),
    ['data', 'train-L0', 'mask-L1', 'rewind-L1', 'train-L1', 'mask-L2', 'rewind-L2', 'train-L2', 'analysis', 'report'],
  );
  const t = Object.fromEntries(p.tasks.map((x) => [x.name, x]));
  assert.deepEqual(t['mask-L2']!.dependsOn.sort(), ['mask-L1', 'train-L1']);
  assert.equal(t['rewind-L2']!.inputs.source!.role, 'rewind', 'late rewinding to level 0 step k');
  assert.equal(t['train-L0']!.config.rewindStep, 3);
  assert.equal(t['train-L2']!.config.rewindStep, null);
  assert.deepEqual(Object.keys(t.analysis!.inputs).sort(), [
    'dataset',
    'mask.L1',
    'mask.L2',
    'metrics.L0',
    'metrics.L1',
    'metrics.L2',
    'params.L0',
    'params.L1',
    'params.L2',
  ]);
  for (const x of p.tasks)
    for (const o of Object.values(x.outputs)) assert.match(o.dir, /^\/store\/[a-z]+-[0-9a-f]{20}$/);
});

test('ids change exactly downstream of an edit', async () => {
  const a = await ids(base);
  assert.deepEqual(changed(a, await ids(deepMerge(base, { analysis: { config: { r: 2 } } }))), ['analysis', 'report']);
  assert.deepEqual(changed(a, await ids(deepMerge(base, { prune: { config: { fraction: 0.5 } } }))), [
    'mask-L1',
    'rewind-L1',
    'train-L1',
    'mask-L2',
    'rewind-L2',
    'train-L2',
    'analysis',
    'report',
  ]);
  assert.deepEqual(changed(a, await ids(deepMerge(base, { rewind: { config: { mode: 'init' } } }))), [
    'rewind-L1',
    'train-L1',
    'mask-L2',
    'rewind-L2',
    'train-L2',
    'analysis',
    'report',
  ]);
  assert.deepEqual(changed(a, await ids(deepMerge(base, { description: 'words only' }))), ['report']);
  assert.deepEqual(changed(a, await ids(base)), []);
});

test('diff names the stages and keys that differ', async () => {
  const a = await planExperiment(base, '/s');
  const b = await planExperiment(Experiment.parse(deepMerge(base, { prune: { config: { fraction: 0.5 } } })), '/s');
  const d = Object.fromEntries(diffPlans(a, b).map((x) => [x.task, x]));
  assert.equal(d['train-L0']!.same, true);
  assert.equal(d['mask-L1']!.same, false);
  assert.deepEqual(d['mask-L1']!.keys, ['fraction: 0.3 → 0.5']);
  assert.deepEqual(d['train-L1']!.keys, []);
  assert.ok(d['train-L1']!.upstream.includes('mask'));
});

test('a bad stage config names the experiment block and field', async () => {
  await assert.rejects(
    planExperiment(Experiment.parse(deepMerge(base, { train: { config: { lr: 'fast' } } })), '/s'),
    /train\.config \(task train-L0\): field 'lr'/,
  );
  assert.throws(() => Experiment.parse({ ...base, prune: { levels: -1 } }));
});

test('two experiment files with the same name are an error naming both files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imp-pipelines-'));
  const exp = (name: string) => JSON.stringify({ name, data: { config: { source: { name: 'mnist' } } } });
  writeFileSync(join(dir, 'a.json'), exp('a'));
  writeFileSync(join(dir, 'b.yaml'), 'name: b\n');
  assert.equal(findExperimentFile('a', dir), join(dir, 'a.json'));
  writeFileSync(join(dir, 'copy-of-a.json'), exp('a'));
  assert.throws(
    () => findExperimentFile('b', dir),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.includes(`'a' is used by two files: ${join(dir, 'a.json')} and ${join(dir, 'copy-of-a.json')}`),
  );
});

test('rewind inputs come from the rewind stage declaration (inputSources), by its parsed mode', async () => {
  const plan = async (rewind: unknown) => {
    const p = await planExperiment(Experiment.parse({ ...base, rewind }), '/store');
    return Object.fromEntries(p.tasks.map((x) => [x.name, x]));
  };
  const late = await plan({ step: 3 });
  assert.equal(late['rewind-L2']!.inputs.source!.task, 'train-L0');
  assert.equal(late['rewind-L2']!.inputs.source!.role, 'rewind');
  const init = await plan({ step: 3, config: { mode: 'reinit' } });
  assert.equal(init['rewind-L2']!.inputs.source!.role, 'init');
  const ft = await plan({ step: 3, config: { mode: 'finetune' } });
  assert.deepEqual(
    Object.fromEntries(Object.entries(ft['rewind-L2']!.inputs).map(([r, i]) => [r, `${i.task}.${i.role}`])),
    { source: 'train-L1.final', trained: 'train-L1.final', mask: 'mask-L2.mask' },
  );
  // Declared planner keys only: mask gets its level, rewind nothing but its seed.
  assert.equal(late['mask-L2']!.config.level, 2);
  assert.deepEqual(Object.keys(late['rewind-L1']!.config).sort(), ['seed']);
});
