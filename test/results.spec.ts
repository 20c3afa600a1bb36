// RESULTS.md must agree with the plan: the findings id it records is the one
// pipelines/findings.yaml plans now (any upstream config or algoVersion change fails this,
// naming `npm run findings`), and where the findings artifact is in the store, regenerating
// RESULTS.md from it gives the same bytes (packages/pipeline/src/results.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { storeRoot } from '@imp/artifacts';
import { checkResults } from '@imp/pipeline';

const root = join(import.meta.dirname, '..');

test('RESULTS.md matches the findings the findings file plans', async () => {
  const problems = await checkResults(root, storeRoot());
  assert.deepEqual(problems, [], problems.join('\n'));
});
