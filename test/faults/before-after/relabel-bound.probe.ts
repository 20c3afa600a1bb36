// Issue 16 §7: a relabel label of 99999999 is refused before anything is sized by it. Run with a
// capped heap (before-after.sh): the code before the change died of it instead of answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relabelByFile } from './relabel.ts';

test('a mapping-file label of 99999999 is a named error at once, not an allocation', () => {
  const { file, apply } = relabelByFile('0,1,99999999,2');
  const t0 = performance.now();
  assert.throws(apply, (e: Error) => e.message.includes(file) && e.message.includes('99999999'));
  assert.ok(performance.now() - t0 < 1000, 'refused at once');
});
