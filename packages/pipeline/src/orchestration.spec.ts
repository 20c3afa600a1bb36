import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '@imp/artifacts';
import { Experiment } from './experiment-schema.ts';
import { planExperiment } from './plan.ts';
import { checkArtifact } from './check-store.ts';
import { decodeArg, encodeArg, taskCommand } from './nx-nodes.ts';
import { commandIdentity } from './stage-handle.ts';
import { schedule, taskThreads } from './threads.ts';
import { collectRuns, scopedRuns } from './run-scope.ts';

const NASTY = [`inj;touch\${IFS}INJECTED;.json`, `a b/it's "q" $HOME {args.x} {workspaceRoot} %41 \\ \`id\` é.json`];

test('encoded task arguments survive sh -c untouched and decode to the original', () => {
  for (const s of NASTY) {
    const enc = encodeArg(s);
    assert.match(enc, /^[A-Za-z0-9._/%-]+$/);
    assert.doesNotMatch(enc, /[{}$;'" ]/);
    assert.equal(execFileSync('sh', ['-c', `printf %s ${enc}`], { encoding: 'utf8' }), enc);
    assert.equal(decodeArg(enc), s);
  }
  const cmd = taskCommand(`/ws/pipelines/${NASTY[1]}`, '/ws', 'train-L1', 'abc,def');
  assert.match(cmd, /^node packages\/cli\/bin\/imp\.js task --encoded pipelines\/\S+ train-L1 --expect abc,def$/);
});

const exp = (arch: string) =>
  Experiment.parse({
    name: 't',
    data: { config: { source: { name: 'mnist' } } },
    train: { config: { arch, steps: 10, batchSize: 10 } },
    prune: { levels: 1, config: {} },
    rewind: { step: 3 },
  });

test('thread needs: the small net trains on one thread, the big one and analysis on every core', async () => {
  const small = Object.fromEntries((await planExperiment(exp('f300:f100:x'), '/s')).tasks.map((t) => [t.name, t]));
  const big = Object.fromEntries((await planExperiment(exp('f1024:f1024:x'), '/s')).tasks.map((t) => [t.name, t]));
  assert.equal(taskThreads(small['train-L1']!, 2), 1);
  assert.equal(taskThreads(small['mask-L1']!, 2), 1);
  assert.equal(taskThreads(big['train-L1']!, 2), 2);
  assert.equal(taskThreads(small.analysis!, 8), 8);
  // Two small trainers on 2 cores run together; a big one runs alone.
  const s = schedule(
    [
      { key: 'a', task: small['train-L1']! },
      { key: 'b', task: small['mask-L1']! },
      { key: 'c', task: big['train-L1']! },
    ],
    2,
  );
  assert.equal(s.parallel, 2);
  assert.deepEqual([...s.exclusive], ['c']);
  assert.equal(schedule([{ key: 'a', task: small['train-L1']! }], 8).parallel, 8);
  assert.deepEqual([...schedule([{ key: 'c', task: big['train-L1']! }], 8).exclusive], ['c']);
  assert.equal(schedule([{ key: 'c', task: big['train-L1']! }], 2, 3).parallel, 3, '--parallel overrides');
  assert.equal(schedule([{ key: 'c', task: big['train-L1']! }], 2, 3).exclusive.size, 0);
});

test('a comparison shares the runs of artifacts its experiments share; pending edges only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imp-scope-'));
  const e = (name: string, fraction: number) => ({
    name,
    data: { config: { source: { name: 'mnist' } } },
    train: { config: { arch: 'f8:x', steps: 10, batchSize: 10 } },
    prune: { levels: 1, config: { fraction } },
    rewind: { step: 3 },
  });
  writeFileSync(join(dir, 'one.json'), JSON.stringify(e('one', 0.3)));
  writeFileSync(join(dir, 'two.json'), JSON.stringify(e('two', 0.6)));
  writeFileSync(join(dir, 'both.json'), JSON.stringify({ name: 'both', compare: ['one', 'two'] }));
  const set = await collectRuns(join(dir, 'both.json'), dir, join(dir, 'store'));
  const names = set.units.map((u) => u.project);
  assert.ok(names.includes('one--data') && !names.includes('two--data'), names.join());
  const mask2 = set.units.find((u) => u.project === 'two--mask-L1')!;
  assert.deepEqual(mask2.dependsOn, ['one--train-L0']);
  assert.deepEqual(set.units.at(-1)!.dependsOn, ['one--report', 'two--report']);
  // With one--train-L0 done, two--mask-L1 no longer waits for it.
  const { runs } = scopedRuns(
    set.units.filter((u) => !['one--data', 'one--train-L0'].includes(u.project)),
    { cores: 2 },
  );
  assert.deepEqual(runs.find((r) => r.project === 'two--mask-L1')!.dependsOn, []);
  rmSync(dir, { recursive: true, force: true });
});

test('stat stamps: an unchanged file is not hashed again, any write is caught even with its mtime restored', async () => {
  const store = mkdtempSync(join(tmpdir(), 'imp-check-'));
  const { artifact } = await writeArtifact(
    { kind: 'metrics', role: 'metrics', stage: 't', algoVersion: '1', config: { a: 1 }, upstream: {} },
    async (d) => writeFileSync(join(d, 'x.bin'), Buffer.alloc(4096, 7)),
    store,
  );
  const id = artifact.manifest.id;
  assert.equal((await checkArtifact(artifact.dir, id, { store })).state, 'present');
  assert.equal((await checkArtifact(join(store, 'metrics-nope'), id, { store })).state, 'missing');
  const f = join(artifact.dir, 'x.bin');
  const st = statSync(f);
  chmodSync(f, 0o644);
  const bad = readFileSync(f);
  bad[100] ^= 1;
  writeFileSync(f, bad);
  utimesSync(f, st.atime, st.mtime);
  const r = await checkArtifact(artifact.dir, id, { store });
  assert.equal(r.state, 'corrupt');
  assert.match(r.state === 'corrupt' ? r.problem : '', /x\.bin: sha256 does not match/);
  assert.equal((await checkArtifact(artifact.dir, 'other-id', { store, full: true })).state, 'corrupt');
  rmSync(store, { recursive: true, force: true });
});

test('an external command is identified by its argv and the contents of its workspace files', () => {
  const root = mkdtempSync(join(tmpdir(), 'imp-cmd-'));
  writeFileSync(join(root, 'stage.py'), 'print(1)');
  const a = commandIdentity(['python3', 'stage.py'], root);
  assert.equal(commandIdentity(['python3', 'stage.py'], root), a);
  assert.notEqual(commandIdentity(['python3', 'stage.py', '--fast'], root), a);
  writeFileSync(join(root, 'stage.py'), 'print(2)');
  assert.notEqual(commandIdentity(['python3', 'stage.py'], root), a);
  rmSync(root, { recursive: true, force: true });
});
