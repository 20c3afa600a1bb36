// The backend ladder, run in child processes so each starts from a fresh
// tfjs registry (the addon and backends are process-global).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from './test-util.ts';

const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

function runInit(env: Record<string, string>, opts = '{}') {
  const code = `import { initEngine, engineInfo } from ${JSON.stringify(INDEX)};
const info = await initEngine(${opts});
const again = engineInfo();
if (again.backend !== info.backend) throw new Error('engineInfo disagrees');
console.log(JSON.stringify(info));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, IMP_BACKEND: '', IMP_ENGINE_ADDON_PATH: '', ...env },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  return { info: JSON.parse(lines.at(-1)!), stderr: r.stderr.trim() };
}

test(
  'auto picks native when the addon is built, silently',
  { skip: nativeAvailable() ? false : 'addon not built' },
  () => {
    const { info, stderr } = runInit({});
    assert.equal(info.backend, 'native');
    assert.match(info.blas, /OpenBLAS/);
    assert.ok(info.threads >= 1);
    assert.equal(info.tfjsVersion, '4.22.0');
    assert.equal(stderr, '');
  },
);

test('missing addon: falls to wasm with exactly one warning line', () => {
  const { info, stderr } = runInit({ IMP_ENGINE_ADDON_PATH: '/nonexistent/imp_engine.node' });
  assert.equal(info.backend, 'wasm');
  assert.equal(info.simd, true);
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `stderr: ${stderr}`);
  assert.match(lines[0], /native unavailable/);
});

test('IMP_BACKEND overrides the option; cpu is silent', () => {
  const { info, stderr } = runInit({ IMP_BACKEND: 'cpu' }, "{ backend: 'native' }");
  assert.equal(info.backend, 'cpu');
  assert.equal(stderr, '');
});

test('explicit tensorflow request falls through with one warning line', () => {
  const { info, stderr } = runInit({ IMP_ENGINE_ADDON_PATH: '/nonexistent/x.node' }, "{ backend: 'tensorflow' }");
  assert.equal(info.backend, 'wasm');
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /tensorflow unavailable.*native unavailable/);
});

test('invalid IMP_BACKEND is an error', () => {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { initEngine } from ${JSON.stringify(INDEX)}; await initEngine();`,
    ],
    {
      env: { ...process.env, IMP_BACKEND: 'gpu' },
      encoding: 'utf8',
    },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /IMP_BACKEND=gpu/);
});
