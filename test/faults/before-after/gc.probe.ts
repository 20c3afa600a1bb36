// Issue 16 §2 (`gc --unreferenced` on a shared store) and §7 (a symlink loop crashed `gc`)
// through the `imp` CLI, which exists before and after the change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '@imp/artifacts';
import { hasStackTrace } from '../vocabulary.ts';

const bin = join(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'bin', 'imp.js');
const gc = (store: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, 'gc', ...args], {
    encoding: 'utf8',
    env: { ...process.env, IMP_STORE: store },
  });
  return { code: r.status, out: r.stdout + r.stderr };
};

test('gc --unreferenced on a store other workspaces may use ($IMP_STORE) refuses without --shared-store-ok', async () => {
  const store = mkdtempSync(join(tmpdir(), 'imp-gc-shared-'));
  try {
    await writeArtifact(
      { kind: 'metrics', role: 'metrics', stage: 'other-workspace', algoVersion: '1', config: {}, upstream: {} },
      async (d) => writeFileSync(join(d, 'm.txt'), 'used by another workspace\n'),
      store,
    );
    const r = gc(store, '--unreferenced', '--dry-run');
    assert.notEqual(r.code, 0, `listed for deletion without a flag:\n${r.out}`);
    assert.match(r.out, /--shared-store-ok/);
  } finally {
    spawnSync('chmod', ['-R', 'u+w', store]);
    rmSync(store, { recursive: true, force: true });
  }
});

test('gc keeps a fresh .work checkpoint and .tmp entry (their writer may be running)', () => {
  const store = mkdtempSync(join(tmpdir(), 'imp-gc-live-'));
  try {
    mkdirSync(join(store, '.work', 'abc'), { recursive: true });
    writeFileSync(join(store, '.work', 'abc', 'checkpoint.arrow'), Buffer.alloc(4096, 1));
    mkdirSync(join(store, '.tmp', 'analysis-x.123.ab'), { recursive: true });
    writeFileSync(join(store, '.tmp', 'analysis-x.123.ab', 'table.arrow'), Buffer.alloc(4096, 2));
    const r = gc(store);
    assert.equal(r.code, 0, r.out);
    assert.ok(existsSync(join(store, '.work', 'abc', 'checkpoint.arrow')), `the checkpoint was deleted:\n${r.out}`);
    assert.ok(
      existsSync(join(store, '.tmp', 'analysis-x.123.ab', 'table.arrow')),
      `the temp entry was deleted:\n${r.out}`,
    );
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('gc meets a symlink loop in .work without crashing or a stack trace', () => {
  const store = mkdtempSync(join(tmpdir(), 'imp-gc-loop-'));
  try {
    mkdirSync(join(store, '.work', 'loop'), { recursive: true });
    symlinkSync('b', join(store, '.work', 'loop', 'a'));
    symlinkSync('a', join(store, '.work', 'loop', 'b'));
    const r = gc(store, '--dry-run');
    assert.equal(r.code, 0, r.out);
    assert.ok(!hasStackTrace(r.out), r.out);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
