// The ahead-of-time build (scripts/build.mjs, scripts/launch.mjs): a stale build never runs,
// and stage processes start from V8's code cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain ES module without types
import { ENTRIES, staleReason } from '../scripts/build.mjs';

const root = join(import.meta.dirname, '..');

test('staleReason names the changed, touched or missing file; a fresh build has none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imp-build-'));
  try {
    const src = join(dir, 'a.ts');
    writeFileSync(src, 'export const a = 1;\n');
    let st = statSync(src);
    mkdirSync(join(dir, 'dist', 'b-x'), { recursive: true });
    for (const name of Object.keys(ENTRIES as Record<string, string>))
      writeFileSync(join(dir, 'dist', 'b-x', `${name}.cjs`), '');
    const record = () =>
      writeFileSync(
        join(dir, 'dist', 'build.json'),
        JSON.stringify({ dir: 'b-x', inputs: { 'a.ts': { size: st.size, mtimeMs: st.mtimeMs } } }),
      );
    record();
    assert.equal(staleReason(dir), null);
    utimesSync(src, st.atime, new Date(st.mtimeMs + 5000)); // same bytes, newer mtime
    assert.match(staleReason(dir), /a\.ts changed/);
    writeFileSync(src, 'export const a = 22;\n');
    assert.match(staleReason(dir), /a\.ts changed/);
    rmSync(src);
    assert.match(staleReason(dir), /a\.ts is gone/);
    writeFileSync(src, 'export const a = 1;\n');
    st = statSync(src);
    record();
    assert.equal(staleReason(dir), null);
    rmSync(join(dir, 'dist', 'b-x', 'imp.cjs'));
    assert.match(staleReason(dir), /imp\.cjs is missing/);
    rmSync(join(dir, 'dist', 'build.json'));
    assert.equal(staleReason(dir), 'no build yet');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('imp runs the CommonJS bundle, from V8 code cache once a process wrote it', () => {
  const imp = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(root, 'packages/cli/bin/imp.js'), 'ls', '--help'], {
      cwd: root,
      env: { ...process.env, IMP_TRACE_STARTUP: '1', ...env },
      encoding: 'utf8',
    });
  const first = imp();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /Usage: imp ls/);
  // The first run above wrote the cache if there was none; from now on it is used.
  const second = imp();
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /startup: code cache used/);
  // IMP_CODE_CACHE=0 runs the same bundle through require, without the cache.
  const plain = imp({ IMP_CODE_CACHE: '0' });
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /code cache/);
  assert.equal(plain.stdout, second.stdout);
});
