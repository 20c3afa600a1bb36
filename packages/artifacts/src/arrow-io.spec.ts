import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { readArrowFile, writeArrowFile } from './arrow-io.ts';
import { datasetSchema, readDatasetSplit, writeDatasetSplit } from './dataset-file.ts';
import { tempStore } from './testing.ts';

test('writeArrowFile writes the bytes tableToIPC makes (chunk by chunk), and they read back', () => {
  const dir = tempStore('imp-arrow-');
  const layout = { channels: 1, height: 5, width: 3, order: 'chw' as const };
  const n = 37;
  const x = Float32Array.from({ length: n * 15 }, (_, i) => Math.sin(i) * 100);
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  const p = join(dir, 'train.arrow');
  writeDatasetSplit(p, { split: 'train', layout, x, y, meta: { note: 'é' } });
  const table = readArrowFile(p);
  assert.deepEqual(readFileSync(p), Buffer.from(tableToIPC(table, 'file')));
  const back = readDatasetSplit(p);
  assert.deepEqual(back.x, x);
  assert.deepEqual(back.y, y);
  assert.equal(datasetSchema(15, 'float32').fields.length, table.schema.fields.length);
  // Rewriting the table read back gives the same file.
  const q = join(dir, 'again.arrow');
  writeArrowFile(q, table);
  assert.deepEqual(readFileSync(q), readFileSync(p));
});
