import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeTable } from 'apache-arrow';
import { readTensorFile, writeTensorFile } from './tensors.ts';
import { readDatasetSplit, writeDatasetSplit } from './dataset-file.ts';
import { readMetricsFile, writeMetricsFile } from './metrics-file.ts';
import { readArrowFile, writeArrowFile } from './arrow-io.ts';
import { exportArrowToParquet } from './parquet.ts';
import { Rng } from './random.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'imp-files-'));

/** Float32 values that break naive round trips: -0, NaN with a payload, subnormals, extremes. */
function nastyFloats(n: number): Float32Array {
  const rng = new Rng(7);
  const u = new Uint32Array(n);
  for (let i = 0; i < n; i++) u[i] = rng.uint32();
  const f = new Float32Array(u.buffer);
  f.set([-0, 0, Infinity, -Infinity, 1e-45, -3.4028234663852886e38], 0);
  u[6] = 0x7fc00123; // quiet NaN with a payload
  return f;
}

test('parameters: shapes kept, float32 bit-identical', () => {
  const d = dir();
  const tensors = [
    { name: 'W1', shape: [50, 7], data: nastyFloats(350) },
    { name: 'b1', shape: [7], data: nastyFloats(7) },
    { name: 'bn1.gamma', shape: [50], data: Float32Array.from({ length: 50 }, () => 1) },
    { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
  ];
  writeTensorFile(join(d, 'p.arrow'), tensors, 'float32', { arch: 'f7:x' });
  const back = readTensorFile(join(d, 'p.arrow'), 'float32');
  assert.equal(back.metadata.arch, 'f7:x');
  assert.deepEqual(back.tensors.map((t) => [t.name, t.shape]), tensors.map((t) => [t.name, t.shape]));
  for (let i = 0; i < tensors.length; i++) {
    const got = back.tensors[i]!.data;
    assert.deepEqual(new Uint32Array(got.buffer, got.byteOffset, got.length), new Uint32Array(tensors[i]!.data.buffer));
  }
  assert.throws(() => readTensorFile(join(d, 'p.arrow'), 'uint8'), /holds float32 tensors/);
  rmSync(d, { recursive: true });
});

test('mask: uint8 tensors round trip', () => {
  const d = dir();
  const rng = new Rng(3);
  const m = Uint8Array.from({ length: 784 * 30 }, () => (rng.next() < 0.3 ? 1 : 0));
  writeTensorFile(join(d, 'm.arrow'), [{ name: 'W1', shape: [784, 30], data: m }], 'uint8');
  const back = readTensorFile(join(d, 'm.arrow'), 'uint8').tensors[0]!;
  assert.deepEqual(back.shape, [784, 30]);
  assert.deepEqual(back.data, m);
  assert.throws(() => writeTensorFile(join(d, 'x.arrow'), [{ name: 'W1', shape: [5], data: m }], 'uint8'), /shape \[5\] holds 5 values/);
  rmSync(d, { recursive: true });
});

test('dataset: uint8 and float32 splits keep layout, labels and bits', () => {
  const d = dir();
  const layout = { channels: 3, height: 4, width: 5, order: 'chw' as const };
  const x8 = Uint8Array.from({ length: 6 * 60 }, (_, i) => (i * 37) & 255);
  const y = Int32Array.from([0, 1, 2, 3, 4, 999]);
  writeDatasetSplit(join(d, 'train.arrow'), { split: 'train', layout, x: x8, y, meta: { class_names: ['a'] } });
  const a = readDatasetSplit(join(d, 'train.arrow'));
  assert.deepEqual([a.split, a.layout, a.meta], ['train', layout, { class_names: ['a'] }]);
  assert.deepEqual(a.x, x8);
  assert.deepEqual(a.y, y);
  const xf = nastyFloats(6 * 60);
  writeDatasetSplit(join(d, 'val.arrow'), { split: 'val', layout, x: xf, y });
  const b = readDatasetSplit(join(d, 'val.arrow'));
  assert.ok(b.x instanceof Float32Array);
  assert.deepEqual(new Uint32Array(b.x.buffer, b.x.byteOffset, b.x.length), new Uint32Array(xf.buffer));
  rmSync(d, { recursive: true });
});

test('metrics and analysis tables round trip', () => {
  const d = dir();
  const rows = [
    { level: 0, step: 0, split: 'val', metric: 'top1', value: 0.1 },
    { level: 3, step: 1000, split: 'train', metric: 'loss', value: 2.302585092994046 },
  ];
  writeMetricsFile(join(d, 'm.arrow'), rows);
  assert.deepEqual(readMetricsFile(join(d, 'm.arrow')), rows);
  const analysis = makeTable({ level: Int32Array.from([1, 2]), value: Float64Array.from([0.5, 0.25]) });
  writeArrowFile(join(d, 'a.arrow'), analysis);
  const back = readArrowFile(join(d, 'a.arrow'));
  assert.deepEqual(Array.from(back.getChild('value')!.toArray()), [0.5, 0.25]);
  rmSync(d, { recursive: true });
});

test('Parquet export is read back by DuckDB with equal values', async () => {
  const d = dir();
  const rows = Array.from({ length: 100 }, (_, i) => ({ level: i % 7, step: i * 10, split: i % 2 ? 'val' : 'train', metric: 'top1', value: i / 3 }));
  writeMetricsFile(join(d, 'm.arrow'), rows);
  exportArrowToParquet(join(d, 'm.arrow'), join(d, 'm.parquet'));
  const layout = { channels: 1, height: 2, width: 3, order: 'chw' as const };
  const xf = Float32Array.from({ length: 4 * 6 }, (_, i) => i / 8);
  writeDatasetSplit(join(d, 'val.arrow'), { split: 'val', layout, x: xf, y: Int32Array.from([5, 6, 7, 8]) });
  exportArrowToParquet(join(d, 'val.arrow'), join(d, 'val.parquet'));
  writeTensorFile(join(d, 'p.arrow'), [{ name: 'W1', shape: [2, 2], data: Float32Array.from([1.5, -2, 0.25, 3]) }], 'float32');
  exportArrowToParquet(join(d, 'p.arrow'), join(d, 'p.parquet'));

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson();
  const m = await q(`select level, step, split, metric, value from '${d}/m.parquet' order by step`);
  assert.equal(m.length, 100);
  m.forEach((r, i) => assert.deepEqual(r, { ...rows[i], value: rows[i]!.value }));
  const v = await q(`select y, x from '${d}/val.parquet'`);
  assert.deepEqual(v.map((r) => r.y), [5, 6, 7, 8]);
  assert.deepEqual(v[1]!.x, Array.from(xf.subarray(6, 12)));
  const p = await q(`select name, shape, "values" from '${d}/p.parquet'`);
  assert.deepEqual(p, [{ name: 'W1', shape: [2, 2], values: [1.5, -2, 0.25, 3] }]);
  con.closeSync();
  rmSync(d, { recursive: true });
});

test('the same split written twice in one process gives identical bytes (fixed dictionary id)', () => {
  const d = dir();
  const s = { split: 'train' as const, layout: { channels: 1, height: 2, width: 2, order: 'chw' as const }, x: new Uint8Array(8).fill(3), y: Int32Array.from([1, 2]) };
  writeDatasetSplit(join(d, 'a.arrow'), s);
  writeDatasetSplit(join(d, 'b.arrow'), s);
  assert.ok(readFileSync(join(d, 'a.arrow')).equals(readFileSync(join(d, 'b.arrow'))));
  rmSync(d, { recursive: true });
});
