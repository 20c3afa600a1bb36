// What a sweep over several machines relies on, tested on one: a store shared by
// two workspaces (two "machines"), an external scheduler running `imp run --plan`
// steps one by one, and a comparison page across experiments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { executedTasks, makeWorkspace } from './workspace.ts';

const exp = (name: string, fraction: number) => ({
  name,
  seed: 2,
  data: {
    config: {
      source: { name: 'mnist' },
      transforms: [
        { name: 'subset', split: 'train', n: 600 },
        { name: 'subset', split: 'val', n: 200 },
      ],
    },
  },
  train: { config: { arch: 'f16:x', steps: 30, batchSize: 40, lr: 0.1, evalEvery: 15 } },
  prune: { levels: 1, config: { fraction } },
  rewind: { step: 5 },
});

const a = makeWorkspace({ one: exp('one', 0.3), two: exp('two', 0.6) });
const b = makeWorkspace({ one: exp('one', 0.3) });
b.store = a.store; // the shared file system

test('an external scheduler can run the --plan steps one by one', () => {
  const plan = a.imp('run', 'one', '--plan', '--json');
  assert.equal(plan.code, 0, plan.out);
  const steps = JSON.parse(plan.out) as { steps: { task: string; argv: string[]; dependsOn: string[] }[] };
  assert.deepEqual(
    steps.steps.map((s) => s.task),
    ['data', 'train-L0', 'mask-L1', 'rewind-L1', 'train-L1', 'analysis', 'report'],
  );
  const done = new Set<string>();
  for (const s of steps.steps) {
    assert.ok(
      s.dependsOn.every((d) => done.has(d)),
      `${s.task} listed before its dependencies`,
    );
    const argv =
      s.argv[0] === 'npx' ? [process.execPath, join(a.root, 'node_modules/.bin/imp'), ...s.argv.slice(2)] : s.argv;
    const r = spawnSync(argv[0]!, argv.slice(1), {
      cwd: a.root,
      encoding: 'utf8',
      env: { ...process.env, IMP_STORE: a.store },
    });
    assert.equal(r.status, 0, `${s.task}: ${r.stderr}`);
    done.add(s.task);
  }
  assert.match(a.imp('status', 'one').out, /7 done, 0 stale, 0 missing/);
});

test('a second machine sharing the store computes nothing', () => {
  const r = b.imp('run', 'one');
  assert.equal(r.code, 0, r.out);
  // Nx on machine b has an empty cache, so it runs every task, and every stage finds its artifact.
  assert.equal(executedTasks(r.out, 'one').length, 7);
  assert.equal((r.out.match(/up to date \(content-addressed artifact exists\)/g) ?? []).length, 7);
});

test('a comparison page runs both experiments and shows them side by side', () => {
  a.write('both', { name: 'both', description: 'fraction 0.3 vs 0.6', compare: ['one', 'two'] });
  const r = a.imp('run', 'both');
  assert.equal(r.code, 0, r.out);
  // `one` is fully done already: only `two` trains, and it shares data and train-L0 with `one`.
  const ran = executedTasks(r.out, 'two');
  assert.ok(ran.includes('mask-L1') && ran.includes('report'), ran.join(','));
  assert.match(
    r.out.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), ''),
    /two--train-L0: train-L0: up to date/,
  );
  const page = readdirSync(a.store)
    .filter((d) => d.startsWith('report-'))
    .map((d) => join(a.store, d, 'index.html'));
  assert.ok(page.length >= 3 && page.every(existsSync));
});

test.after(() => {
  for (const w of [a, b]) rmSync(w.root, { recursive: true, force: true });
});
