import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './random.ts';

/** The unsigned formulation of sfc32 + splitmix32 seeding (random.ts before its words became int32). */
function referenceDraws(seed: number, stream: number, n: number): number[] {
  let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [a, b, c, d] = [next(), next(), next(), next()];
  const u = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u();
  return Array.from({ length: n }, u);
}

test('Rng draws are bit-identical to the unsigned sfc32 formulation', () => {
  for (const [seed, stream] of [
    [0, 0],
    [1, 99],
    [7, 0x40000000 + 123],
    [0xffffffff, 0x7fffffff],
    [123456789, 20_000 + 1407],
  ] as const) {
    const rng = new Rng(seed, stream);
    const got = Array.from({ length: 50_000 }, () => rng.uint32());
    assert.deepEqual(got, referenceDraws(seed, stream, 50_000), `seed ${seed} stream ${stream}`);
    assert.ok(got.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
  }
  // next() and int() are functions of the same words.
  const r = new Rng(5, 6);
  const ref = referenceDraws(5, 6, 3);
  assert.equal(r.next(), ref[0]! / 4294967296);
  assert.equal(r.int(10), Math.floor((ref[1]! / 4294967296) * 10));
});
