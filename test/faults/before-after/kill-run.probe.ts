// Issue 16 §7: a killed `imp run` must stop its stage processes. Runs `imp run` under a
// pseudo-terminal (`script`), as from a user's shell, holds its rewind stage, and kills
// `imp run` alone with SIGTERM (forwarded to Nx's process group) or SIGKILL (which cannot be
// forwarded: the orphan watchdog of pipeline-commands.ts stops them).
// test/scale-out.spec.ts checks SIGTERM with pipes in npm test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALT_REWIND, makeWorkspace, REPO, tinyMnistData } from '../../workspace.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function killedRun(t: { skip(m: string): void }, signal: NodeJS.Signals) {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    return void t.skip('needs script(1) for a pseudo-terminal');
  }
  const outside = mkdtempSync(join(tmpdir(), 'imp-killrun-'));
  const log = join(outside, 'alt-rewind.log');
  const ws = makeWorkspace(
    {
      slow: {
        name: 'slow',
        seed: 2,
        data: tinyMnistData(),
        train: { config: { arch: 'f16:x', steps: 30, batchSize: 40, lr: 0.1, evalEvery: 15 } },
        prune: { levels: 1, config: { fraction: 0.3 } },
        rewind: { step: 5, stage: ALT_REWIND },
      },
    },
    { store: join(outside, 'store') },
  );
  let stagePid = 0;
  try {
    const cmd = `exec ${process.execPath} ${join(REPO, 'packages/cli/bin/imp.js')} run slow`;
    const term = spawn('script', ['-qefc', cmd, '/dev/null'], {
      cwd: ws.root,
      env: {
        ...process.env,
        IMP_STORE: ws.store,
        ALT_REWIND_LOG: log,
        ALT_REWIND_HOLD_MS: '120000',
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_TUI: 'false',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const started = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('start '))
        : undefined;
    const t0 = Date.now();
    while (!started()) {
      assert.ok(Date.now() - t0 < 300_000, 'the held stage never started');
      await sleep(200);
    }
    stagePid = Number(started()!.split(' ')[1]);
    // `imp run` is script's child (its shell exec'd it)
    const imp = Number(
      execFileSync('pgrep', ['-P', String(term.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );
    assert.ok(imp > 0 && alive(stagePid));
    process.kill(imp, signal);
    const t1 = Date.now();
    while (alive(stagePid) && Date.now() - t1 < 5000) await sleep(50);
    assert.ok(!alive(stagePid), `stage process ${stagePid} outlived imp run (${signal}) by more than 5 s`);
    term.kill('SIGKILL');
  } finally {
    if (stagePid && alive(stagePid)) process.kill(stagePid, 'SIGKILL');
    rmSync(ws.root, { recursive: true, force: true });
    execFileSync('chmod', ['-R', 'u+w', outside]);
    rmSync(outside, { recursive: true, force: true });
  }
}

test('a SIGTERMed imp run leaves no stage process behind', (t) => killedRun(t, 'SIGTERM'));
test('a SIGKILLed imp run leaves no stage process behind', (t) => killedRun(t, 'SIGKILL'));
