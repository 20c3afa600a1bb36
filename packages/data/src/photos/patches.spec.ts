import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { samplePatches, trainRows, type PhotoPlanes } from './patches.ts';
import { texture } from './test-fixtures.ts';

const photo = (w: number, h: number, seed: number): PhotoPlanes => ({
  channels: 1,
  width: w,
  height: h,
  data: Float32Array.from(texture(w, h, seed)),
});
const sha = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

const classes = [[photo(90, 70, 1)], [photo(64, 100, 2), photo(50, 60, 3)], [photo(120, 57, 4)]];
const names = [['a'], ['b1', 'b2'], ['c']];
const opts = { size: 14, trainPerClass: 500, valPerClass: 120, valFraction: 0.25, standardize: true, seed: 11 };

test('no val crop shares a pixel with any train crop, for every photo', () => {
  const { train, val } = samplePatches(classes, names, opts);
  classes.forEach((ph, c) =>
    ph.forEach((p, pi) => {
      const used = new Uint8Array(p.width * p.height);
      const mark = (s: typeof train, bit: number) => {
        let n = 0;
        for (let i = 0; i < s.y.length; i++) {
          if (s.y[i] !== c || s.origins[3 * i] !== pi) continue;
          n++;
          const [r0, c0] = [s.origins[3 * i + 1]!, s.origins[3 * i + 2]!];
          for (let r = r0; r < r0 + 14; r++) for (let q = c0; q < c0 + 14; q++) used[r * p.width + q]! |= bit;
        }
        return n;
      };
      assert.ok(mark(train, 1) > 0 && mark(val, 2) > 0, `photo ${names[c]![pi]} got crops of both splits`);
      assert.ok(!used.some((v) => v === 3), `photo ${names[c]![pi]}: a pixel is in both a train and a val crop`);
      const t = trainRows(p.height, 0.25);
      for (let i = 0; i < val.y.length; i++)
        if (val.y[i] === c && val.origins[3 * i] === pi) assert.ok(val.origins[3 * i + 1]! >= t);
    }),
  );
});

test('exact class counts, standardised crops, byte-identical for a seed', () => {
  const a = samplePatches(classes, names, opts);
  const counts = [0, 0, 0];
  for (const y of a.train.y) counts[y]!++;
  assert.deepEqual(counts, [500, 500, 500]);
  assert.equal(a.val.y.filter((y) => y === 2).length, 120);
  for (const i of [0, 77, 1499]) {
    const x = a.train.x.subarray(i * 196, (i + 1) * 196);
    const m = x.reduce((s, v) => s + v, 0) / 196;
    const v = x.reduce((s, u) => s + (u - m) ** 2, 0) / 196;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-4, `crop ${i}: mean ${m}, var ${v}`);
  }
  const b = samplePatches(classes, names, opts);
  assert.equal(sha(a.train.x), sha(b.train.x));
  assert.equal(sha(a.val.x), sha(b.val.x));
  assert.equal(sha(a.train.y), sha(b.train.y));
  const c = samplePatches(classes, names, { ...opts, seed: 12 });
  assert.notEqual(sha(a.train.x), sha(c.train.x));
  // Changing the val count leaves the train crops unchanged (separate streams).
  const d = samplePatches(classes, names, { ...opts, valPerClass: 3 });
  assert.equal(sha(a.train.x), sha(d.train.x));
});

test('uniform positions cover the whole train band', () => {
  const p = photo(40, 40, 5);
  const { train } = samplePatches([[p], [p]], [['p'], ['q']], {
    ...opts,
    size: 10,
    trainPerClass: 4000,
    valPerClass: 1,
  });
  const t = trainRows(40, 0.25); // 30: top-left rows 0..20
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (let i = 0; i < train.y.length; i++) {
    rows.add(train.origins[3 * i + 1]!);
    cols.add(train.origins[3 * i + 2]!);
  }
  assert.equal(rows.size, t - 10 + 1);
  assert.equal(cols.size, 31);
});
