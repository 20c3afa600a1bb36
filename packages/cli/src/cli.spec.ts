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

test('imp verify: an upstream recomputed to the same bytes passes; one holding other files under its id fails', async () => {
  const s = mkdtempSync(join(tmpdir(), 'imp-cli-up-'));
  try {
    const verify = (...a: string[]) => {
      const r = spawnSync(process.execPath, [bin, 'verify', ...a], {
        encoding: 'utf8',
        env: { ...process.env, IMP_STORE: s },
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const spec = {
      kind: 'parameters',
      role: 'final',
      stage: 'train',
      algoVersion: '1',
      config: { lr: 0.1 },
      upstream: {},
    } as const;
    const up = (byte: number) =>
      writeArtifact(spec, async (d) => writeFileSync(join(d, 'w.bin'), Buffer.from([1, 2, 3, byte])), s);
    const first = (await up(4)).artifact;
    const down = (
      await writeArtifact(
        { kind: 'metrics', role: 'metrics', stage: 'train', algoVersion: '1', config: {}, upstream: { params: first } },
        async (d) => writeFileSync(join(d, 'm.txt'), 'top1 0.5\n'),
        s,
      )
    ).artifact;
    const removeTree = (d: string) => (spawnSync('chmod', ['-R', 'u+w', d]), rmSync(d, { recursive: true }));
    const before = readFileSync(join(first.dir, 'manifest.json'), 'utf8');
    // Deleted and recomputed: same id, same bytes, a new manifest (timings, createdAt).
    removeTree(first.dir);
    await new Promise((r) => setTimeout(r, 20));
    const again = (await up(4)).artifact;
    assert.equal(again.dir, first.dir);
    assert.notEqual(readFileSync(join(again.dir, 'manifest.json'), 'utf8'), before, 'the manifest was rewritten');
    const ok = verify('--all');
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /2 ok, 0 failed/);
    // Same id, other bytes, a manifest consistent with them: the upstream verifies on its own,
    // but it is not what the downstream was made from.
    removeTree(first.dir);
    await up(5);
    assert.equal(verify(basename(first.dir)).code, 0);
    const bad = verify(basename(down.dir));
    assert.equal(bad.code, 1, bad.out);
    assert.match(
      bad.out,
      /FAIL\s+metrics-\S+ \[upstream-changed\]: .*upstream params \(parameters-\S+\) has other files/,
    );
  } finally {
    rmSync(s, { recursive: true, force: true });
  }
});

test('filesystem errors are one line naming the path (EISDIR); --debug adds the trace', async () => {
  const s = mkdtempSync(join(tmpdir(), 'imp-cli-fs-'));
  try {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, IMP_STORE: s } });
    // EISDIR: a manifest that is a directory
    const dir = join(s, 'metrics-0123456789abcdef0123');
    mkdirSync(join(dir, 'manifest.json'), { recursive: true });
    const r = run('show', dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: \S+metrics-0123456789abcdef0123\/manifest\.json: .*EISDIR/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(run('show', dir, '--debug').stderr, /\n\s+at .+:\d+:\d+/, '--debug shows the trace');
  } finally {
    rmSync(s, { recursive: true, force: true });
  }
});

test('a closed stdout pipe (`imp verify --all | head -1`) exits 0 quietly', async () => {
  const s = mkdtempSync(join(tmpdir(), 'imp-cli-pipe-'));
  try {
    // Enough artifacts that `imp verify` still writes lines after `head` has gone.
    for (let i = 0; i < 300; i++)
      await writeArtifact(
        { kind: 'metrics', role: 'metrics', stage: 'train', algoVersion: '1', config: { i }, upstream: {} },
        async (d) => writeFileSync(join(d, 'm.txt'), `${i}\n`),
        s,
      );
    const errFile = join(s, 'stderr.txt');
    const p = spawnSync(
      'bash',
      ['-c', `"$0" "$1" verify --all 2>"$2" | head -1; echo "exit=\${PIPESTATUS[0]}"`, process.execPath, bin, errFile],
      { encoding: 'utf8', env: { ...process.env, IMP_STORE: s } },
    );
    assert.match(p.stdout, /^ok {4}metrics-\S+\nexit=0\n$/, `imp verify ${p.stdout.trim().split('\n').pop()}`);
    assert.equal(readFileSync(errFile, 'utf8'), '', 'nothing on stderr');
  } finally {
    rmSync(s, { recursive: true, force: true });
  }
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
