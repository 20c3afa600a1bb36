// Issue 16 §5: one producer per artifact. Two processes racing for the same stage compute
// it once and both succeed with the same artifact; a SIGKILLed lock owner is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const child = join(import.meta.dirname, 'contend-stage.ts');

function start(store: string, env: Record<string, string>) {
  const p = spawn(process.execPath, ['--import', 'tsx', child, store], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((res) =>
    p.on('close', (code, signal) => res({ code, signal, out, err })),
  );
  return { p, done };
}

const producers = (logFile: string) =>
  existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('produce '))
    : [];

test('two concurrent workers compute one artifact exactly once and both succeed', async () => {
  const store = mkdtempSync(join(tmpdir(), 'imp-fault-lock-'));
  const logFile = join(store, '..', `${store.split('/').pop()}.producers.log`);
  try {
    const env = { IMP_LOCK_LOG: logFile, FAULT_SLEEP_MS: '1500' };
    const [a, b] = [start(store, env), start(store, env)];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.err);
    assert.equal(rb.code, 0, rb.err);
    assert.equal(producers(logFile).length, 1, `computed once: ${producers(logFile).join('; ')}`);
    const [ja, jb] = [JSON.parse(ra.out), JSON.parse(rb.out)];
    assert.equal(ja.dir, jb.dir);
    assert.deepEqual([ja.skipped, jb.skipped].sort(), [false, true], 'one produced, one reused');
    assert.match(ra.err + rb.err, /waiting for .* computing metrics-/, 'the loser waited for the winner');
    assert.deepEqual(readdirSync(join(store, '.locks')), [], 'the lock is released');
  } finally {
    rmSync(store, { recursive: true, force: true });
    rmSync(logFile, { force: true });
  }
});

test("a SIGKILLed owner's lock is taken over (one log line) and the artifact is produced", async () => {
  const store = mkdtempSync(join(tmpdir(), 'imp-fault-lock-'));
  const logFile = join(store, '..', `${store.split('/').pop()}.producers.log`);
  let victim: ChildProcess | undefined;
  try {
    const a = start(store, { IMP_LOCK_LOG: logFile, FAULT_SLEEP_MS: '60000' });
    victim = a.p;
    // wait until the victim holds the lock and is computing
    for (let i = 0; producers(logFile).length === 0; i++) {
      assert.ok(i < 300, 'the first worker never took the lock');
      await new Promise((r) => setTimeout(r, 100));
    }
    a.p.kill('SIGKILL');
    const ra = await a.done;
    assert.equal(ra.signal, 'SIGKILL');
    assert.equal(readdirSync(join(store, '.locks')).length, 1, 'the dead owner left its lock');
    const b = start(store, { IMP_LOCK_LOG: logFile, FAULT_SLEEP_MS: '10' });
    const rb = await b.done;
    assert.equal(rb.code, 0, rb.err);
    const takeovers = rb.err.split('\n').filter((l) => /taking over from dead owner/.test(l));
    assert.equal(takeovers.length, 1, rb.err);
    assert.match(takeovers[0]!, new RegExp(`pid ${a.p.pid}\\b`));
    assert.equal(JSON.parse(rb.out).skipped, false);
    assert.equal(producers(logFile).length, 2, 'the killed one and the taker');
  } finally {
    victim?.kill('SIGKILL');
    rmSync(store, { recursive: true, force: true });
    rmSync(logFile, { force: true });
  }
});
