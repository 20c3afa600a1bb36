// Real Nx runs on a tiny experiment: the caching behaviour users come for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ALT_REWIND, executedTasks, makeWorkspace } from './workspace.ts';

const tiny = {
  name: 'tiny',
  description: 'tiny IMP for the pipeline tests',
  seed: 1,
  data: {
    config: {
      source: { name: 'mnist' },
      transforms: [
        { name: 'subset', split: 'train', n: 1000 },
        { name: 'subset', split: 'val', n: 300 },
      ],
    },
  },
  train: { config: { arch: 'f24:f12:x', steps: 40, batchSize: 50, lr: 0.1, evalEvery: 20 } },
  prune: { levels: 2, config: { fraction: 0.3 } },
  rewind: { step: 10, config: { mode: 'late' } },
  analysis: { config: {} },
};
const ALL = [
  'data',
  'train-L0',
  'mask-L1',
  'rewind-L1',
  'train-L1',
  'mask-L2',
  'rewind-L2',
  'train-L2',
  'analysis',
  'report',
];

const ws = makeWorkspace({ tiny });
const run = () => {
  const r = ws.imp('run', 'tiny');
  assert.equal(r.code, 0, r.out);
  return executedTasks(r.out, 'tiny');
};
const edit = (f: (e: typeof tiny) => void) => {
  const e = structuredClone(tiny);
  f(e);
  ws.write('tiny', e);
};

test('first run executes every stage; a second run executes none and does not start Nx', () => {
  assert.deepEqual(run().sort(), [...ALL].sort());
  const r = ws.imp('run', 'tiny');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /tiny: all 10 stage runs up to date/);
  assert.doesNotMatch(r.out, /> nx run/);
});

test('changing only an analysis option reruns only analysis and report', () => {
  edit((e) => (e.analysis.config = { r: 2 }));
  assert.deepEqual(run().sort(), ['analysis', 'report']);
});

test('changing the pruning fraction reruns from mask-L1 on, never data or train-L0', () => {
  edit((e) => {
    e.analysis.config = { r: 2 };
    e.prune.config.fraction = 0.5;
  });
  const ran = run();
  assert.ok(!ran.includes('data') && !ran.includes('train-L0'), ran.join(','));
  for (const t of ['mask-L1', 'rewind-L1', 'train-L1', 'mask-L2', 'train-L2', 'analysis', 'report'])
    assert.ok(ran.includes(t), `${t} not rerun: ${ran}`);
});

test('swapping the rewind implementation reruns from rewind-L1 on', () => {
  const alt = ALT_REWIND;
  edit((e) => {
    e.analysis.config = { r: 2 };
    e.prune.config.fraction = 0.5;
    (e.rewind as Record<string, unknown>).stage = alt;
  });
  // imp run empties NODE_EXTRA_CA_CERTS for its own processes (a start-up cost) and gives the
  // caller's value back to external stage commands.
  const ca = existsSync('/etc/ssl/certs/ca-certificates.crt') ? '/etc/ssl/certs/ca-certificates.crt' : 'ca.pem';
  const envLog = join(ws.root, 'alt-env.log');
  const r = ws.impEnv({ NODE_EXTRA_CA_CERTS: ca, ALT_REWIND_ENV_LOG: envLog }, 'run', 'tiny');
  assert.equal(r.code, 0, r.out);
  const ran = executedTasks(r.out, 'tiny');
  assert.deepEqual(new Set(readFileSync(envLog, 'utf8').trim().split('\n')), new Set([`NODE_EXTRA_CA_CERTS=${ca}`]));
  assert.deepEqual(
    ran.filter((t) => ['data', 'train-L0', 'mask-L1'].includes(t)),
    [],
  );
  for (const t of ['rewind-L1', 'train-L1', 'mask-L2', 'rewind-L2', 'train-L2', 'analysis', 'report'])
    assert.ok(ran.includes(t), `${t} not rerun: ${ran}`);
  const st = ws.imp('status', 'tiny');
  assert.match(st.out, /10 done, 0 stale, 0 missing/);
});

test('deleting .nx does not retrain: a missing report reruns only the report', () => {
  const trainDirs = () =>
    readdirSync(ws.store)
      .filter((d) => d.startsWith('parameters-'))
      .map((d) => [d, readFileSync(join(ws.store, d, 'manifest.json'), 'utf8')]);
  const before = trainDirs();
  rmSync(join(ws.root, '.nx'), { recursive: true, force: true });
  for (const d of readdirSync(ws.store).filter((n) => n.startsWith('report-')))
    rmSync(join(ws.store, d), { recursive: true, force: true });
  assert.deepEqual(run(), ['report']);
  assert.deepEqual(trainDirs(), before, 'no parameters artifact was rewritten');
});

test('status explains a stale stage; diff names the differing keys', () => {
  edit((e) => (e.prune.config.fraction = 0.4));
  const st = ws.imp('status', 'tiny');
  assert.equal(st.code, 0, st.out);
  assert.match(st.out, /mask-L1\s+stale\s+.*fraction: 0\.5 → 0\.4/);
  assert.match(st.out, /train-L0\s+done/);
  ws.write('other', { ...tiny, name: 'other', prune: { levels: 2, config: { fraction: 0.6 } } });
  const d = ws.imp('diff', 'tiny', 'other');
  assert.match(d.out, /same\s+train-L0/);
  assert.match(d.out, /differs\s+mask-L1\s+config: fraction: 0\.4 → 0\.6/);
  rmSync(join(ws.root, 'pipelines', 'other.json'));
  ws.write('tiny', tiny);
});

test('a tampered artifact file is reported by name and never restored or used', () => {
  run();
  const plan = JSON.parse(ws.imp('run', 'tiny', '--plan', '--json').out) as {
    steps: { task: string; outputs: Record<string, string> }[];
  };
  const maskDir = basename(plan.steps.find((s) => s.task === 'mask-L1')!.outputs.mask!);
  const f = join(ws.store, maskDir, 'mask.arrow');
  const bad = Buffer.from(readFileSync(f));
  bad[bad.length - 40] ^= 1;
  chmodSync(f, 0o644);
  writeFileSync(f, bad);
  const r = ws.imp('run', 'tiny');
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`${maskDir}/mask\\.arrow: sha256 does not match`));
  assert.doesNotMatch(r.out, /> nx run/);
  assert.ok(readFileSync(f).equals(bad), 'the tampered file was left for the user to see');
  // Deleting the damaged artifact is the fix: it is recomputed.
  rmSync(join(ws.store, maskDir), { recursive: true, force: true });
  const again = ws.imp('run', 'tiny');
  assert.equal(again.code, 0, again.out);
  assert.deepEqual(executedTasks(again.out, 'tiny'), ['mask-L1']);
  assert.ok(!readFileSync(f).equals(bad));
});

test('--verify hashes every file even when its stat is unchanged', () => {
  const r = ws.imp('run', 'tiny', '--verify');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /up to date \(artifacts present and hashed\)/);
});

test('experiment file names with spaces, quotes, ; and $ reach imp task intact, never a shell', () => {
  const file = `inj;touch\${IFS}INJECTED; it's "$HOME" {args.x}.json`;
  ws.write('weird', { ...tiny, name: 'weird' }, file);
  const r = ws.imp('run', join('pipelines', file));
  rmSync(join(ws.root, 'pipelines', file));
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(executedTasks(r.out, 'weird'), ['report']);
  assert.ok(!existsSync(join(ws.root, 'INJECTED')), 'a shell ran part of the file name');
});

test("imp graph and nx graph --focus show one experiment's stage DAG", () => {
  for (const cmd of ['imp', 'nx']) {
    const out = join(ws.root, `graph-${cmd}.json`);
    const r =
      cmd === 'imp' ? ws.imp('graph', 'tiny', `--file=${out}`) : ws.nx('graph', '--focus=exp-tiny', `--file=${out}`);
    assert.equal(r.code, 0, r.out);
    const g = JSON.parse(readFileSync(out, 'utf8')) as {
      graph: { nodes: Record<string, unknown>; dependencies: Record<string, { target: string }[]> };
    };
    for (const t of ALL) assert.ok(g.graph.nodes[`tiny--${t}`], `${cmd}: no node tiny--${t}`);
    assert.deepEqual(g.graph.dependencies['tiny--mask-L2']!.map((d) => d.target).sort(), [
      'tiny--mask-L1',
      'tiny--train-L1',
    ]);
  }
});

test("nx's view follows an external input: an edited mapping file gives the data task a new id", () => {
  const map = join(ws.root, 'labels.dat');
  writeFileSync(map, '0,1,0,1,0,1,0,1,0,1');
  ws.write('mapped', {
    ...tiny,
    name: 'mapped',
    data: {
      config: {
        ...tiny.data.config,
        transforms: [...tiny.data.config.transforms, { name: 'relabel', by: 'file', file: map }],
      },
    },
  });
  // The id Nx's project carries (`--expect`), and the one `imp run` plans, for the data task.
  const nxId = () => {
    const r = ws.nx('show', 'project', 'mapped--data', '--json');
    assert.equal(r.code, 0, r.out);
    const cmd = (JSON.parse(r.out.slice(r.out.indexOf('{'))) as { targets: { run: { options: { command: string } } } })
      .targets.run.options.command;
    return /--expect (\S+)/.exec(cmd)![1]!;
  };
  const planId = () =>
    (
      JSON.parse(ws.imp('run', 'mapped', '--plan', '--json').out) as {
        steps: { task: string; outputs: Record<string, string> }[];
      }
    ).steps
      .find((s) => s.task === 'data')!
      .outputs.dataset!.split('-')
      .pop()!;
  try {
    const first = nxId();
    assert.equal(first, planId());
    assert.equal(nxId(), first, 'unchanged: the memo answers');
    writeFileSync(map, '1,0,1,0,1,0,1,0,1,0'); // same file, same size, other labels
    const second = nxId();
    assert.notEqual(second, first, 'nx kept the old id after the mapping file changed');
    assert.equal(second, planId());
  } finally {
    rmSync(join(ws.root, 'pipelines', 'mapped.json'));
  }
});

test('an invalid experiment file gives a zod error naming the field, non-zero exit', () => {
  ws.write('broken', { ...tiny, name: 'broken', prune: { levels: 'many' } });
  const r = ws.imp('status', 'broken');
  assert.notEqual(r.code, 0);
  assert.match(r.out, /field 'prune\.levels'/);
  const s = ws.imp('status', 'tiny');
  rmSync(join(ws.root, 'pipelines', 'broken.json'));
  assert.equal(s.code, 0);
});

test.after(() => {
  if (!process.env.IMP_KEEP_TEST_WORKSPACE && existsSync(ws.root)) rmSync(ws.root, { recursive: true, force: true });
});
