import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, tCdf, tQuantile } from './stats.ts';

const near = (a: number | null, b: number, tol: number, what = '') =>
  assert.ok(a !== null && Math.abs(a - b) <= tol, `${what} ${a} ≉ ${b}`);

test('t quantiles match the tables', () => {
  // Two-sided 95 %: t_{0.975, df}.
  const table: [number, number][] = [
    [1, 12.7062047362],
    [2, 4.30265272975],
    [4, 2.7764451052],
    [9, 2.26215716279],
    [29, 2.04522964213],
    [1000, 1.96233908082],
  ];
  for (const [df, t] of table) near(tQuantile(0.975, df), t, 1e-8, `df ${df}`);
  near(tQuantile(0.995, 3), 5.84090930973, 1e-8, '99 % df 3');
  near(tQuantile(0.025, 4), -2.7764451052, 1e-8, 'lower tail');
  near(tCdf(0, 5), 0.5, 1e-14);
  near(tCdf(2.7764451052, 4), 0.975, 1e-10);
  assert.throws(() => tQuantile(1, 3), RangeError);
});

test('mean, sd and the t interval on hand-made values', () => {
  const s = describe([1, 2, 3, 4]);
  assert.equal(s.n, 4);
  near(s.mean, 2.5, 1e-15);
  near(s.sd, Math.sqrt(5 / 3), 1e-15);
  near(s.se, Math.sqrt(5 / 3) / 2, 1e-15);
  // 2.5 ± 3.18244630528 · 0.645497224368
  near(s.lo, 2.5 - 3.18244630528 * 0.645497224368, 1e-9);
  near(s.hi, 2.5 + 3.18244630528 * 0.645497224368, 1e-9);
  // Non-finite and missing values do not count.
  assert.deepEqual(describe([1, null, NaN, 3]), describe([1, 3]));
  // One value: a mean, no spread, no interval.
  assert.deepEqual(describe([0.7]), { n: 1, mean: 0.7, sd: null, se: null, lo: null, hi: null });
  assert.equal(describe([]).mean, null);
});

test('the interval shrinks as seeds are added (same spread)', () => {
  const width = (n: number) => {
    const v = Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1));
    const s = describe(v);
    return s.hi! - s.lo!;
  };
  const w = [2, 3, 4, 6, 10, 30].map(width);
  for (let i = 1; i < w.length; i++) assert.ok(w[i]! < w[i - 1]!, `width ${w[i]} at more seeds < ${w[i - 1]}`);
});
