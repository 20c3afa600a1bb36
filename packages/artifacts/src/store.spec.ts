import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, rmSync, existsSync, readdirSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { artifactId } from './id.ts';
import { ArtifactError } from './errors.ts';
import { listArtifactDirs, openArtifact, writeArtifact, MANIFEST_FILE } from './store.ts';
import { writeTensorFile } from './tensors.ts';

const tmpStore = () => mkdtempSync(join(tmpdir(), 'imp-store-'));

const spec = (config: unknown) => ({ kind: 'parameters' as const, role: 'final', stage: 'test', algoVersion: '1', config, upstream: {} });

async function sample(store: string, config: unknown = { lr: 0.1, arch: 'f10:x' }) {
  return writeArtifact(spec(config), async (d) => {
    writeTensorFile(join(d, 'params.arrow'), [{ name: 'W1', shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) }], 'float32');
    return { summary: { n: 12 } };
  }, store);
}

test('identity: independent of key order and of wall-clock fields; pinned', () => {
  const a = artifactId({ ...spec({ lr: 0.1, arch: 'f10:x', nested: { b: 1, a: [1, 2] } }), upstream: { data: 'x' } });
  const b = artifactId({ ...spec({ nested: { a: [1, 2], b: 1 }, arch: 'f10:x', lr: 0.1 }), upstream: { data: 'x' } });
  assert.equal(a, b);
  assert.notEqual(a, artifactId({ ...spec({ lr: 0.2, arch: 'f10:x', nested: { b: 1, a: [1, 2] } }), upstream: { data: 'x' } }));
  // Pinned (also = sha256 of Python's json.dumps(sort_keys=True, separators=(',',':'))): changing
  // the identity rule silently would orphan every stored artifact.
  assert.equal(
    artifactId({ kind: 'mask', role: 'mask', stage: 'mask', algoVersion: '1', config: { fraction: 0.3, level: 1 }, upstream: { params: '0'.repeat(64) } }),
    'fe575fcfa243386df80d66c2ded00a89d50da1ce4f5a372c036d051a0bf44ee6',
  );
});

test('write is atomic, read-only and reused; the same config names the same directory', async () => {
  const store = tmpStore();
  const first = await sample(store);
  assert.equal(first.created, true);
  const m = first.artifact.manifest;
  assert.equal(m.kind, 'parameters');
  assert.deepEqual(m.files.map((f) => f.path), ['params.arrow']);
  assert.equal(statSync(first.artifact.file('params.arrow')).mode & 0o222, 0, 'files are read-only');
  const again = await sample(store, { arch: 'f10:x', lr: 0.1 });
  assert.equal(again.created, false);
  assert.equal(again.artifact.dir, first.artifact.dir);
  assert.deepEqual(readdirSync(join(store, '.tmp')), []);
  rmSync(store, { recursive: true });
});

test('tampering: flipped byte, truncated file, missing file and missing manifest give named errors', async () => {
  const store = tmpStore();
  const { artifact } = await sample(store);
  const f = artifact.file('params.arrow');
  chmodSync(f, 0o644);
  const bytes = readFileSync(f);
  bytes[bytes.length - 20] ^= 0x01;
  writeFileSync(f, bytes);
  await assert.rejects(openArtifact(artifact.dir), (e: ArtifactError) => e.code === 'checksum-mismatch' && e.message.includes('params.arrow'));
  truncateSync(f, 10);
  await assert.rejects(openArtifact(artifact.dir), (e: ArtifactError) => e.code === 'size-mismatch' && e.message.includes('params.arrow'));
  rmSync(f);
  await assert.rejects(openArtifact(artifact.dir), (e: ArtifactError) => e.code === 'missing-file' && e.message.includes('params.arrow'));
  rmSync(join(artifact.dir, MANIFEST_FILE), { force: true });
  await assert.rejects(openArtifact(artifact.dir), (e: ArtifactError) => e.code === 'missing-manifest' && e.message.includes('manifest.json'));
  rmSync(store, { recursive: true });
});

test('a bad manifest names the field', async () => {
  const store = tmpStore();
  const { artifact } = await sample(store);
  const p = join(artifact.dir, MANIFEST_FILE);
  const m = JSON.parse(readFileSync(p, 'utf8'));
  m.files[0].sha256 = 'nothex';
  chmodSync(p, 0o644);
  writeFileSync(p, JSON.stringify(m));
  await assert.rejects(openArtifact(artifact.dir), (e: ArtifactError) => e.code === 'bad-manifest' && e.message.includes("'files.0.sha256'"));
  rmSync(store, { recursive: true });
});

test('crash safety: a process killed between writing and renaming leaves no visible artifact', () => {
  const store = tmpStore();
  const storeTs = fileURLToPath(new URL('./store.ts', import.meta.url));
  const script = `
    import { writeArtifact } from ${JSON.stringify(storeTs)};
    import { writeFileSync } from 'node:fs';
    await writeArtifact({ kind: 'metrics', role: 'metrics', stage: 'crash', algoVersion: '1', config: {}, upstream: {} }, async (d) => {
      writeFileSync(d + '/half.bin', Buffer.alloc(1000));
      process.kill(process.pid, 'SIGKILL');
    }, ${JSON.stringify(store)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL');
  assert.deepEqual(listArtifactDirs(store), []);
  assert.equal(readdirSync(store).filter((n) => !n.startsWith('.')).length, 0);
  assert.ok(existsSync(join(store, '.tmp')));
  rmSync(store, { recursive: true });
});

/** Rewrites a sealed artifact's manifest (tests only: unseal, edit, reseal). */
function editManifest(dir: string, edit: (m: Record<string, unknown>) => void) {
  chmodSync(dir, 0o755);
  const p = join(dir, MANIFEST_FILE);
  chmodSync(p, 0o644);
  const m = JSON.parse(readFileSync(p, 'utf8'));
  edit(m);
  writeFileSync(p, JSON.stringify(m));
  chmodSync(p, 0o444);
  chmodSync(dir, 0o555);
}

const codeOf = async (dir: string) => {
  try {
    await openArtifact(dir);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ArtifactError, String(e));
    return e.code;
  }
};

test('identity: an edited config, a swapped directory and a foreign id are refused by name', async () => {
  const store = tmpStore();
  const a = (await sample(store)).artifact.dir;
  const b = (await sample(store, { lr: 0.2, arch: 'f10:x' })).artifact.dir;
  editManifest(a, (m) => ((m.config as Record<string, unknown>).lr = 0.3));
  assert.equal(await codeOf(a), 'id-mismatch');
  editManifest(a, (m) => ((m.config as Record<string, unknown>).lr = 0.1));
  assert.equal(await codeOf(a), 'ok');
  // swap the two directories: each now holds the other's content
  const { renameSync } = await import('node:fs');
  renameSync(a, a + '.x');
  renameSync(b, a);
  renameSync(a + '.x', b);
  assert.equal(await codeOf(a), 'dir-mismatch');
  assert.equal(await codeOf(b), 'dir-mismatch');
});

test('confinement: escaping, absolute and symlinked file entries are refused, never read', async () => {
  const store = tmpStore();
  const a = (await sample(store)).artifact.dir;
  const outside = join(store, '..', `precious-${process.pid}.txt`);
  writeFileSync(outside, 'precious');
  try {
    for (const path of ['../../outside/precious.txt', '/etc/shadow', '../../../../etc/shadow', 'a/../params.arrow']) {
      editManifest(a, (m) => ((m.files as Array<Record<string, unknown>>)[0]!.path = path));
      assert.equal(await codeOf(a), 'escaping-path', path);
    }
    const { symlinkSync } = await import('node:fs');
    chmodSync(a, 0o755);
    symlinkSync(outside, join(a, 'link.txt'));
    chmodSync(a, 0o555);
    editManifest(a, (m) => ((m.files as Array<Record<string, unknown>>)[0]!.path = 'link.txt'));
    assert.equal(await codeOf(a), 'escaping-path');
  } finally {
    rmSync(outside, { force: true });
  }
});

test('sealing does not follow the umask: under umask 000 directories are 0555 and files 0444', async () => {
  const store = tmpStore();
  const old = process.umask(0o000);
  try {
    const { artifact } = await writeArtifact(spec({ umask: 0 }), async (d) => {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'sub', 'x.txt'), 'x');
      writeFileSync(join(d, 'y.txt'), 'y');
    }, store);
    const mode = (p: string) => statSync(join(artifact.dir, p)).mode & 0o777;
    assert.deepEqual(
      ['.', 'sub', 'sub/x.txt', 'y.txt', MANIFEST_FILE].map((p) => [p, mode(p).toString(8)]),
      [['.', '555'], ['sub', '555'], ['sub/x.txt', '444'], ['y.txt', '444'], [MANIFEST_FILE, '444']],
    );
  } finally {
    process.umask(old);
    spawnSync('chmod', ['-R', 'u+w', store]);
    rmSync(store, { recursive: true, force: true });
  }
});
