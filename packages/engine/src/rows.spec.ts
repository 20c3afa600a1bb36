import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherRows, readFileBytes, useJsRows } from './rows.ts';
import { loadAddon } from './native/addon.ts';

const hasNative = (() => {
  try {
    return typeof loadAddon().gatherNorm === 'function';
  } catch {
    return false;
  }
})();

function both(x: Uint8Array | Float32Array, dim: number, idx: Int32Array) {
  const offset = Float32Array.from({ length: dim }, (_, d) => Math.cos(d) * 3.3);
  const scale = Float32Array.from({ length: dim }, (_, d) => 1 / (1.25 + Math.sin(d)));
  const js = new Float32Array(idx.length * dim);
  const nat = new Float32Array(idx.length * dim);
  useJsRows(true);
  gatherRows(x, dim, offset, scale, idx, idx.length, js);
  useJsRows(false);
  gatherRows(x, dim, offset, scale, idx, idx.length, nat);
  return { js, nat };
}

test(
  'gatherRows: native and JavaScript give the same bytes (float32 and uint8 pixels, odd width)',
  { skip: !hasNative },
  () => {
    const dim = 37;
    const n = 50;
    const idx = Int32Array.from([0, 49, 3, 3, 17, 48, 1]);
    const f = Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 0.37) * 1000 + 1e-3 * i);
    const u = Uint8Array.from({ length: n * dim }, (_, i) => (i * 131) & 255);
    for (const x of [f, u]) {
      const { js, nat } = both(x, dim, idx);
      assert.deepEqual(new Uint8Array(nat.buffer), new Uint8Array(js.buffer));
      // Row 1 of the batch is image 49: (x − offset)·scale in double, rounded once to float32.
      const want = Math.fround(
        (x[49 * dim + 5]! - Math.fround(Math.cos(5) * 3.3)) * Math.fround(1 / (1.25 + Math.sin(5))),
      );
      assert.equal(nat[dim + 5], want);
    }
  },
);

test('gatherRows: a row index outside the array is an error, not a read out of bounds', { skip: !hasNative }, () => {
  const x = new Float32Array(4 * 3);
  const o = new Float32Array(3);
  assert.throws(() => gatherRows(x, 3, new Float32Array(3), new Float32Array(3), Int32Array.of(4), 1, o), /gatherNorm/);
  assert.throws(
    () => gatherRows(x, 3, new Float32Array(3), new Float32Array(3), Int32Array.of(-1), 1, o),
    /gatherNorm/,
  );
});

test('readFileBytes: the mapped bytes equal the file; empty and missing files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imp-rows-'));
  try {
    const p = join(dir, 'a.bin');
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) & 255));
    writeFileSync(p, data);
    assert.deepEqual(Buffer.from(readFileBytes(p)), readFileSync(p));
    writeFileSync(join(dir, 'empty'), '');
    assert.equal(readFileBytes(join(dir, 'empty')).length, 0);
    assert.throws(() => readFileBytes(join(dir, 'missing')), /missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
