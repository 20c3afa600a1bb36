import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchSampler, gatherRows } from './batches.ts';
import { makeProgress } from './progress.ts';
import { parseArch } from '@imp/artifacts';

test('sampler: batches are a pure function of (seed, step)', () => {
  const a = new BatchSampler(50, 8, 3, 'replacement');
  const b = new BatchSampler(50, 8, 3, 'replacement');
  const s7 = Int32Array.from(a.indices(7, new Int32Array(8)));
  b.indices(0, new Int32Array(8));
  assert.deepEqual(b.indices(7, new Int32Array(8)), s7);
  assert.notDeepEqual(new BatchSampler(50, 8, 4, 'replacement').indices(7, new Int32Array(8)), s7);
  assert.ok(s7.every((i) => i >= 0 && i < 50));
});

test('sampler: epochs mode visits every example once per epoch, across batch boundaries', () => {
  const s = new BatchSampler(10, 4, 1, 'epochs');
  const seen: number[] = [];
  for (let t = 0; t < 5; t++) seen.push(...s.indices(t, new Int32Array(4))); // 20 = two epochs
  assert.deepEqual(
    [...seen.slice(0, 10)].sort((x, y) => x - y),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(
    [...seen.slice(10)].sort((x, y) => x - y),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.notDeepEqual(seen.slice(0, 10), seen.slice(10));
  // Random access (resumption) gives the same rows.
  assert.deepEqual([...new BatchSampler(10, 4, 1, 'epochs').indices(3, new Int32Array(4))], seen.slice(12, 16));
});

test('gatherRows applies (x − offset)·scale from uint8 pixels', () => {
  const x = Uint8Array.from([0, 10, 20, 30, 40, 50]);
  const out = new Float32Array(4);
  gatherRows(x, 2, Float32Array.from([10, 0]), Float32Array.from([0.5, 2]), Int32Array.from([2, 0]), 2, out);
  assert.deepEqual([...out], [15, 100, -5, 20]);
});

test('arch parsing and progress lines', () => {
  assert.deepEqual(
    parseArch('f300:f100:x', 784, 10).map((l) => [l.fanIn, l.fanOut]),
    [
      [784, 300],
      [300, 100],
      [100, 10],
    ],
  );
  assert.throws(() => parseArch('f300:f100', 784, 10), /arch/);
  const lines: string[] = [];
  const p = makeProgress(100, 0, (m) => lines.push(m), false, 0);
  p.update(50, { loss: 1.5 });
  p.update(100, { val: 0.5 });
  p.stop();
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /step 100\/100 .*loss 1\.5000 val top1 0\.5000/);
});
