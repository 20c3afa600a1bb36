// RESULTS.md must agree with the plan: the findings id it records is the one
// pipelines/findings.yaml plans now (any upstream config or algoVersion change fails this,
// naming `npm run findings`), and where the findings artifact is in the store, regenerating
// RESULTS.md from it gives the same bytes (packages/pipeline/src/results.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storeRoot } from '@imp/artifacts';
import { checkResults, readmeResultsBlock, readmeWithResults } from '@imp/pipeline';

const root = join(import.meta.dirname, '..');

test('RESULTS.md matches the findings the findings file plans', async () => {
  const problems = await checkResults(root, storeRoot());
  assert.deepEqual(problems, [], problems.join('\n'));
});

test("README's results section is RESULTS.md's table, and a hand edit of it is caught", () => {
  const results = readFileSync(join(root, 'RESULTS.md'), 'utf8');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.equal(readmeWithResults(readme, results), readme, 'npx imp results --write rewrites the README block');
  const block = readmeResultsBlock(results);
  const claims = results.split('\n').filter((l) => l.startsWith('| **')).length;
  assert.ok(claims > 10, `RESULTS.md has its claims table (${claims} rows)`);
  assert.equal(block.split('\n').filter((l) => l.startsWith('| **')).length, claims, 'one README row per claim');
  // A number typed into the README's table no longer matches what RESULTS.md gives.
  const row = readme.split('\n').find((l) => l.startsWith('| **'))!;
  const edited = readme.replace(row, row.replace(/\| [^|]*\|([^|]*)\|$/, '| 1.23 [1.1, 1.4], n = 3 |$1|'));
  assert.notEqual(edited, readme);
  assert.notEqual(readmeWithResults(edited, results), edited);
});
