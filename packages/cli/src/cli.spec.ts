import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writeArtifact, writeMetricsFile, writeTensorFile } from '@imp/artifacts';

const store = mkdtempSync(join(tmpdir(), 'imp-cli-'));
const bin = join(import.meta.dirname, '..', 'bin', 'imp.js');
const imp = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, IMP_STORE: store },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const params = await writeArtifact(
  {
    kind: 'parameters',
    role: 'final',
    stage: 'train',
    algoVersion: '1',
    config: { lr: 0.1, arch: 'f3:x' },
    upstream: {},
  },
  async (d) => {
    writeTensorFile(
      join(d, 'params.arrow'),
      [{ name: 'W1', shape: [4, 3], data: new Float32Array(12).fill(0.5) }],
      'float32',
      { arch: 'f3:x' },
    );
  },
  store,
);
const metrics = await writeArtifact(
  {
    kind: 'metrics',
    role: 'metrics',
    stage: 'train',
    algoVersion: '1',
    config: { lr: 0.1 },
    upstream: { params: params.artifact },
  },
  async (d) => {
    writeMetricsFile(join(d, 'metrics.arrow'), [{ level: 0, step: 10, split: 'val', metric: 'top1', value: 0.25 }]);
    return { summary: { best_val_top1: 0.25 } };
  },
  store,
);

test('imp ls lists every artifact; --json is machine-readable', () => {
  const r = imp('ls', '--json');
  assert.equal(r.code, 0, r.err);
  const rows = JSON.parse(r.out) as { name: string; kind: string }[];
  assert.deepEqual(rows.map((x) => x.kind).sort(), ['metrics', 'parameters']);
  assert.match(imp('ls').out, /2 artifacts/);
});

test('imp show prints manifest, schema, rows and a preview', () => {
  const r = imp('show', basename(metrics.artifact.dir));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /metrics\.arrow/);
  assert.match(r.out, /1 rows; schema: level: Int32, step: Int32, split: Utf8, metric: Utf8, value: Float64/);
  assert.match(r.out, /"value":0\.25/);
  const j = JSON.parse(imp('show', params.artifact.manifest.id.slice(0, 10), '--json').out);
  assert.equal(j.manifest.kind, 'parameters');
  assert.equal(j.files[0].rows, 1);
});

test('imp lineage walks upstream', () => {
  const r = imp('lineage', metrics.artifact.dir);
  assert.match(r.out, new RegExp(`params ← ${basename(params.artifact.dir)}`));
});

test('imp verify exits 0 only when every file checks out', () => {
  assert.equal(imp('verify', '--all').code, 0);
  const f = join(params.artifact.dir, 'params.arrow');
  const orig = readFileSync(f);
  const bad = Buffer.from(orig);
  bad[bad.length - 16] ^= 4;
  chmodSync(f, 0o644);
  writeFileSync(f, bad);
  const r = imp('verify', '--all');
  assert.equal(r.code, 1);
  assert.match(r.out, /FAIL\s+parameters-.*params\.arrow: sha256 does not match/);
  assert.match(r.out, /1 ok, 1 failed/);
  const missing = imp('show', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^error: no artifact 'nope'/);
});

test("imp gc removes only dead owners' leftovers, keeps live ones, never artifacts; --unreferenced on a shared store needs a flag", () => {
  const rec = (pid: number) =>
    JSON.stringify({ host: hostname(), pid, startTime: null, heartbeat: Date.now(), createdAt: '' });
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its PID is gone
  mkdirSync(join(store, '.tmp', 'metrics-x.123.ab'), { recursive: true });
  writeFileSync(join(store, '.tmp', 'metrics-x.123.ab', '.owner.json'), rec(dead));
  mkdirSync(join(store, '.work', 'abc'), { recursive: true });
  writeFileSync(join(store, '.work', 'abc', 'checkpoint.arrow'), Buffer.alloc(2048));
  writeFileSync(join(store, '.work', 'abc', '.owner.json'), rec(dead));
  mkdirSync(join(store, '.work', 'live'), { recursive: true });
  writeFileSync(join(store, '.work', 'live', '.owner.json'), rec(process.pid));
  mkdirSync(join(store, '.work', 'fresh-no-owner'), { recursive: true });
  mkdirSync(join(store, '.work', 'loop'), { recursive: true });
  symlinkSync('b', join(store, '.work', 'loop', 'a'));
  symlinkSync('a', join(store, '.work', 'loop', 'b'));
  writeFileSync(join(store, '.work', 'loop', '.owner.json'), rec(dead));
  const dry = imp('gc', '--dry-run');
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /3 entries, .*\(dry run\); kept 2 with a live owner/);
  assert.ok(existsSync(join(store, '.work', 'abc')));
  assert.match(imp('gc').out, /removed\s+\.work\/abc/);
  assert.ok(!existsSync(join(store, '.work', 'abc')) && !existsSync(join(store, '.tmp', 'metrics-x.123.ab')));
  assert.ok(existsSync(join(store, '.work', 'live')) && existsSync(join(store, '.work', 'fresh-no-owner')));
  assert.match(imp('gc', '--force').out, /removed\s+\.work\/live/);
  // IMP_STORE is set: other workspaces may use this store.
  const refused = imp('gc', '--unreferenced', '--dry-run');
  assert.equal(refused.code, 1);
  assert.match(refused.err, /--shared-store-ok/);
  // No experiment in pipelines/ plans these test artifacts: --unreferenced lists both.
  const un = imp('gc', '--unreferenced', '--shared-store-ok', '--dry-run');
  assert.equal(un.code, 0, un.err);
  assert.match(un.out, /2 entries/);
  assert.match(imp('ls').out, /2 artifacts/);
});

test.after(() => rmSync(store, { recursive: true, force: true }));
