import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArtifact, runStage, writeTensorFile } from '@imp/artifacts';
import { fusedUnavailable } from '@imp/engine';
import { trainStage } from './stage.ts';
import { trainHooks } from './run.ts';
import { checkpointHooks } from './checkpoint.ts';
import { paramsBytes, quiet, syntheticDataset, syntheticMask, tempStore } from './test-helpers.ts';

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

test('resume: a run aborted after a checkpoint and resumed equals an uninterrupted run (params and metrics bytes)', async () => {
  const ref = tempStore();
  const dsRef = await syntheticDataset(ref);
  const maskRef = await syntheticMask(ref, cfg.arch, [36, 12, 8, 3], [1], (_, i) => i % 3 !== 1);
  const a = await runStage(trainStage, {
    config: cfg,
    inputs: { dataset: dsRef.dir, mask: maskRef.dir },
    store: ref,
    log: quiet,
  });

  for (const abortAt of [25, 50, 75]) {
    const store = tempStore();
    const ds = await syntheticDataset(store);
    const mask = await syntheticMask(store, cfg.arch, [36, 12, 8, 3], [1], (_, i) => i % 3 !== 1);
    trainHooks.afterCheckpoint = (step) => {
      if (step === abortAt) throw new Error('injected abort');
    };
    try {
      await assert.rejects(
        runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir, mask: mask.dir }, store, log: quiet }),
        /injected abort/,
      );
    } finally {
      trainHooks.afterCheckpoint = undefined;
    }
    const work = join(store, '.work');
    assert.equal(readdirSync(work).length, 1, 'checkpoint kept in the work dir');
    const logs: string[] = [];
    const b = await runStage(trainStage, {
      config: cfg,
      inputs: { dataset: ds.dir, mask: mask.dir },
      store,
      log: (m) => logs.push(m),
    });
    assert.ok(
      logs.some((l) => l.includes(`resuming from the checkpoint at step ${abortAt}`)),
      logs.join('\n'),
    );
    for (const role of ['final', 'init', 'rewind'])
      assert.deepEqual(
        await paramsBytes(b.outputs[role]!.dir),
        await paramsBytes(a.outputs[role]!.dir),
        `${role} after abort at ${abortAt}`,
      );
    assert.deepEqual(await metricsBytes(b.outputs.metrics!.dir), await metricsBytes(a.outputs.metrics!.dir));
    assert.equal(readdirSync(work).length, 0, 'work dir removed on success');
    // On the native engine this resume ran on the fused step (issue 12), and says so.
    const m = JSON.parse(readFileSync(join(b.outputs.final!.dir, 'manifest.json'), 'utf8')) as {
      backend: { backend: string; step: string } | null;
    };
    if (m.backend?.backend === 'native' && fusedUnavailable('sgd') === null) assert.equal(m.backend.step, 'fused');
  }
});

test('resume: a CLI process killed with SIGKILL mid-run resumes to the uninterrupted result', async (t) => {
  // The fused step does this run in milliseconds, too fast to kill mid-run: use the tfjs path
  // here (the checkpoint code is shared); the in-process abort test above covers the fused path.
  const prev = process.env.IMP_FUSED;
  process.env.IMP_FUSED = '0';
  t.after(() => {
    if (prev === undefined) delete process.env.IMP_FUSED;
    else process.env.IMP_FUSED = prev;
  });
  const big = { ...cfg, steps: 1500, evalEvery: 250, checkpointEvery: 100, rewindStep: 200, trainEvalSize: 0 };
  const ref = tempStore();
  const dsRef = await syntheticDataset(ref);
  const a = await runStage(trainStage, { config: big, inputs: { dataset: dsRef.dir }, store: ref, log: quiet });

  const store = tempStore();
  const ds = await syntheticDataset(store);
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const args = ['--import', 'tsx', cli, '--config', JSON.stringify(big), '--in', `dataset=${ds.dir}`, '--store', store];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('exit', (code, sig) => res(sig ? null : code)));
  // Kill between checkpoints: once the second checkpoint is on disk, wait a little, SIGKILL.
  const work = join(store, '.work');
  const t0 = Date.now();
  let seen = 0;
  while (Date.now() - t0 < 60_000) {
    const dirs = existsSync(work) ? readdirSync(work) : [];
    const cks = dirs.length ? readdirSync(join(work, dirs[0]!)).filter((f) => /^checkpoint-.*\.arrow$/.test(f)) : [];
    const ck = cks.length ? join(work, dirs[0]!, cks[0]!) : '';
    if (ck && existsSync(ck)) {
      const m = readFileSync(ck).length;
      if (m && ++seen >= 2) break;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await new Promise((r) => setTimeout(r, 70));
  child.kill('SIGKILL');
  assert.equal(await exited, null, 'child was killed, not finished');
  assert.equal(existsSync(join(store, a.outputs.final!.dir.split('/').pop()!)), false);

  const logs: string[] = [];
  const b = await runStage(trainStage, { config: big, inputs: { dataset: ds.dir }, store, log: (m) => logs.push(m) });
  assert.ok(
    logs.some((l) => l.startsWith('resuming from the checkpoint at step')),
    logs.join('\n'),
  );
  assert.deepEqual(await paramsBytes(b.outputs.final!.dir), await paramsBytes(a.outputs.final!.dir));
  assert.deepEqual(await paramsBytes(b.outputs.rewind!.dir), await paramsBytes(a.outputs.rewind!.dir));
  assert.deepEqual(await metricsBytes(b.outputs.metrics!.dir), await metricsBytes(a.outputs.metrics!.dir));
});

test('resume: a checkpoint with a flipped byte is reported in one line, discarded, and the run restarts to the same bytes', async () => {
  const ref = tempStore();
  const dsRef = await syntheticDataset(ref);
  const a = await runStage(trainStage, { config: cfg, inputs: { dataset: dsRef.dir }, store: ref, log: quiet });

  const store = tempStore();
  const ds = await syntheticDataset(store);
  trainHooks.afterCheckpoint = (step) => {
    if (step === 50) throw new Error('injected abort');
  };
  try {
    await assert.rejects(
      runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: quiet }),
      /injected abort/,
    );
  } finally {
    trainHooks.afterCheckpoint = undefined;
  }
  const dir = join(store, '.work', readdirSync(join(store, '.work'))[0]!);
  const files = readdirSync(dir).filter((f) => f.startsWith('checkpoint'));
  assert.equal(files.length, 1, `only the newest checkpoint kept: ${files.join(',')}`);
  assert.match(files[0]!, /^checkpoint-50-[0-9a-f]{64}\.arrow$/);
  const p = join(dir, files[0]!);
  const bytes = readFileSync(p);
  bytes[bytes.length >> 1] ^= 0x01;
  writeFileSync(p, bytes);

  const logs: string[] = [];
  const b = await runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: (m) => logs.push(m) });
  const bad = logs.filter((l) => l.includes('corrupt checkpoint'));
  assert.equal(bad.length, 1, logs.join('\n'));
  assert.ok(bad[0]!.includes(p), bad[0]);
  assert.ok(!logs.some((l) => l.includes('resuming from the checkpoint')), 'restarted from step 0');
  for (const role of ['final', 'init', 'rewind'])
    assert.deepEqual(await paramsBytes(b.outputs[role]!.dir), await paramsBytes(a.outputs[role]!.dir), role);
  assert.deepEqual(await metricsBytes(b.outputs.metrics!.dir), await metricsBytes(a.outputs.metrics!.dir));
});

test('resume: a failed checkpoint write leaves no temporary file and keeps the previous checkpoint', async () => {
  const store = tempStore();
  const ds = await syntheticDataset(store);
  let n = 0;
  checkpointHooks.write = (path, ...rest) => {
    if (++n === 2) {
      writeFileSync(path, 'partial');
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    }
    return writeTensorFile(path, ...rest);
  };
  try {
    await assert.rejects(
      runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: quiet }),
      /ENOSPC/,
    );
  } finally {
    checkpointHooks.write = undefined;
  }
  const dir = join(store, '.work', readdirSync(join(store, '.work'))[0]!);
  const files = readdirSync(dir).filter((f) => f.startsWith('checkpoint'));
  assert.deepEqual(
    files.map((f) => f.replace(/-[0-9a-f]{64}/, '')),
    ['checkpoint-25.arrow'],
    files.join(','),
  );
  const logs: string[] = [];
  await runStage(trainStage, { config: cfg, inputs: { dataset: ds.dir }, store, log: (m) => logs.push(m) });
  assert.ok(
    logs.some((l) => l.includes('resuming from the checkpoint at step 25')),
    logs.join('\n'),
  );
});
