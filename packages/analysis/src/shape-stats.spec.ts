import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { drawSubset, nearAxis, nodePoints, pixelCoords, shapeOf } from './shape-stats.ts';

const g = { channels: 1, height: 28, width: 28 };
const { ys, xs } = pixelCoords(g);
const at = (y: number, x: number, c = 0) => c * 784 + y * 28 + x;
const shape = (pos: number[], w?: number[]) => shapeOf(pos, 0, pos.length, ys, xs, w);
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('a 1×n bar has elongation exactly n along its axis; diagonals at 45°/135°; a square is round', () => {
  for (const n of [2, 5, 8, 20]) {
    const h = shape(Array.from({ length: n }, (_, i) => at(10, 3 + i)));
    close(h.elongation, n);
    close(h.orientation, 0);
    close(h.cy, 10);
    close(h.cx, 3 + (n - 1) / 2);
    const v = shape(Array.from({ length: n }, (_, i) => at(2 + i, 7)));
    close(v.elongation, n);
    close(v.orientation, 90);
  }
  // Rows grow downwards: a line going down to the right points at −45° with y up, i.e. 135°.
  close(shape(Array.from({ length: 6 }, (_, i) => at(4 + i, 4 + i))).orientation, 135);
  close(shape(Array.from({ length: 6 }, (_, i) => at(9 - i, 4 + i))).orientation, 45);
  const sq = shape([0, 1, 2].flatMap((dy) => [0, 1, 2].map((dx) => at(5 + dy, 5 + dx))));
  close(sq.elongation, 1);
  close(sq.spread, (4 + 4 * Math.SQRT2) / 9); // four neighbours at 1, four corners at √2, the centre at 0
  // One pixel: a unit square, round; channels pool at the same pixel.
  close(shape([at(3, 3)]).elongation, 1);
  close(shape([at(3, 3, 0), at(3, 3, 0)]).spread, 0);
});

test('weighted moments: |w| weights move the centroid and the spread; sign is ignored', () => {
  const bar = [at(0, 0), at(0, 1), at(0, 2), at(0, 3)];
  const s = shape(bar, [3, -1, 0, 0]);
  close(s.cx, 0.25); // (3·0 + 1·1) / 4
  close(s.spread, (3 * 0.25 + 1 * 0.75) / 4);
  close(s.elongation, Math.sqrt((0.1875 + 1 / 12) / (1 / 12))); // Var x = 3/4·(1/4)²·… = 0.1875
  assert.ok(Number.isNaN(shape(bar, [0, 0, 0, 0]).elongation), 'no weight: undefined');
});

test('random masks: orientations symmetric under 90° rotation and reflection; the square favours diagonals', () => {
  const rng = new Rng(5, 0);
  const pool = Int32Array.from({ length: 784 }, (_, i) => i);
  const out = new Int32Array(30);
  const quad = [0, 0, 0, 0]; // centred at 0°, 45°, 90°, 135°
  let sumE = 0;
  const N = 4000;
  for (let r = 0; r < N; r++) {
    drawSubset(rng, pool, 30, out, 0);
    assert.equal(new Set(out).size, 30, 'distinct');
    const s = shape([...out]);
    quad[Math.floor(((s.orientation + 22.5) % 180) / 45)]!++;
    sumE += s.elongation;
  }
  const f = quad.map((q) => q / N);
  assert.ok(Math.abs(f[0]! - f[2]!) < 0.04 && Math.abs(f[1]! - f[3]!) < 0.04, `quadrants ${f}`);
  // In a square, Var(dx² − dy²) = 8a⁴/45 < Var(2·dx·dy) = 4a⁴/9 for uniform points: the sample's
  // major axis leans to the diagonals, so "near an axis" is below one half for random masks (hence
  // the null in the measure, not 0.5).
  assert.ok(f[0]! + f[2]! < 0.45, `axis fraction ${f[0]! + f[2]!}`);
  // 30 uniform points in a square are nearly round (sampling noise only): far from a bar.
  assert.ok(sumE / N > 1 && sumE / N < 1.5, `mean elongation ${sumE / N}`);
  assert.ok(nearAxis(0) && nearAxis(90) && nearAxis(170) && nearAxis(112) && !nearAxis(45) && !nearAxis(135));
});

test('nodePoints: CSR of each node’s connections in the analysis pixel space, valid pixels only, with weights', () => {
  // D = 4 stored inputs, 2 nodes; stored input i sits at pixel placeOf[i].
  const W = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [D=4, h1=2] row-major
  const M = Uint8Array.from([1, 0, 1, 1, 0, 1, 1, 1]);
  const placeOf = [3, 2, 1, 0];
  const valid = Uint8Array.from([1, 1, 1, 0]); // pixel 3 (stored input 0) is constant
  const p = nodePoints(W, M, 4, 2, placeOf, valid);
  assert.deepEqual([...p.start], [0, 2, 5]);
  assert.deepEqual([...p.pos], [2, 0, 2, 1, 0]);
  assert.deepEqual([...p.w], [3, 7, 4, 6, 8]);
  const dense = nodePoints(W, null, 4, 2, [0, 1, 2, 3], undefined);
  assert.deepEqual([...dense.start], [0, 4, 8]);
});
