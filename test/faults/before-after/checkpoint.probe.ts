// Issue 16 §3 and §7 (a disk-full checkpoint left its temp file) checked through APIs that
// exist before and after the change (the stage, its `afterCheckpoint` hook, the store), so
// before-after.sh can run them against the code as it was. train's own resume.spec.ts
// covers the same with hooks that did not exist before (`checkpointHooks`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openArtifact, runStage } from '@imp/artifacts';
import { trainStage } from '@imp/train/stage';
import { trainHooks } from '@imp/train/run';
import { paramsBytes, quiet, syntheticDataset, tempStore } from '@imp/train/test-helpers';

const cfg = {
  arch: 'f12:f8:x',
  steps: 90,
  batchSize: 32,
  evalEvery: 20,
  checkpointEvery: 25,
  rewindStep: 30,
  momentum: 0.9,
  trainEvalSize: 50,
};
const metricsBytes = async (dir: string) => readFileSync((await openArtifact(dir)).file('metrics.arrow'));
const checkpoints = (store: string) =>
  readdirSync(join(store, '.work'), { recursive: true })
    .map(String)
    .filter((f) => /checkpoint/.test(f));

test('a checkpoint with a flipped byte is never resumed from: the rerun ends with the uninterrupted bytes', async () => {
  const ref = tempStore();
  const a = await runStage(trainStage, {
    config: cfg,
    inputs: { dataset: (await syntheticDataset(ref)).dir },
    store: ref,
    log: quiet,
  });
  const store = tempStore();
  const ds = await syntheticDataset(store);
  trainHooks.afterCheckpoint = (step) => {
    if (step === 50) throw new Error('injected abort');
  };
  await assert.rejects(
    runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: quiet }),
    /injected abort/,
  );
  trainHooks.afterCheckpoint = undefined;
  for (const f of checkpoints(store).filter((f) => f.endsWith('.arrow'))) {
    const p = join(store, '.work', f);
    const b = readFileSync(p);
    b[b.length >> 1] ^= 0x01;
    writeFileSync(p, b);
  }
  const logs: string[] = [];
  const b = await runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: (m) => logs.push(m) });
  assert.ok(
    !logs.some((l) => l.includes('resuming from the checkpoint')),
    `resumed from the flipped checkpoint:\n${logs.join('\n')}`,
  );
  for (const role of ['final', 'init', 'rewind'])
    assert.deepEqual(await paramsBytes(b.outputs[role]!.dir), await paramsBytes(a.outputs[role]!.dir), role);
  assert.deepEqual(await metricsBytes(b.outputs.metrics!.dir), await metricsBytes(a.outputs.metrics!.dir));
});

test('a checkpoint write that fills the disk fails naming ENOSPC and the path, and leaves no temporary file', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to mount a tmpfs');
  const store = tempStore();
  const ds = await syntheticDataset(store);
  // .work on a 8 KiB tmpfs: the owner record fits, a checkpoint does not
  mkdirSync(join(store, '.work'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', join(store, '.work')], { encoding: 'utf8' });
  if (m.status !== 0) return t.skip(`cannot mount a tmpfs: ${m.stderr.trim()}`);
  try {
    await assert.rejects(
      runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: quiet }),
      /ENOSPC|no space/i,
    );
    assert.deepEqual(
      checkpoints(store).filter((f) => f.endsWith('.tmp')),
      [],
      'a temp checkpoint was left behind',
    );
  } finally {
    spawnSync('umount', [join(store, '.work')]);
  }
});
