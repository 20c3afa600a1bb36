// Issue 16 §7: a gap in the new labels (class 2 of 0..3 never used) is an error, not an empty class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relabelByFile } from './relabel.ts';

test('a gap in the new labels is an error naming the file, not a silent empty class', () => {
  const { file, apply } = relabelByFile('0,1,3,3');
  assert.throws(apply, (e: Error) => e.message.includes(file) && /never used/.test(e.message));
});
