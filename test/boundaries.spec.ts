// The layering rules are checked by dependency-cruiser in `npm test`; this proves the
// rules really bite, on a miniature tree with one forbidden import per rule.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');
const fixture = join(root, 'test', 'fixtures', 'boundaries');

function cruise(cwd: string): { violations: { rule: { name: string }; from: string; to: string }[] } {
  let out: string;
  try {
    out = execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
        '--config',
        join(root, '.dependency-cruiser.cjs'),
        '--no-progress',
        '--output-type',
        'json',
        'packages',
      ],
      { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exit code = number of violations
  }
  return JSON.parse(out).summary;
}

test('every layering rule rejects its forbidden import in the fixture tree', () => {
  const found = cruise(fixture)
    .violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
    .sort();
  assert.deepEqual(found, [
    'foundation-imports-stage-or-orchestration: packages/artifacts/src/bad.ts → packages/mask/src/bad.ts',
    'stage-imports-orchestration: packages/mask/src/bad.ts → packages/pipeline/src/plan.ts',
    'stage-imports-stage: packages/mask/src/bad.ts → packages/train/src/thing.ts',
  ]);
});

test('the workspace itself has no layering violation', () => {
  assert.deepEqual(cruise(root).violations, []);
});
