import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { cholesky, choleskyWithJitter, gramJs } from './cholesky.ts';

function randomCov(n: number, k: number, seed: number): Float64Array {
  const rng = new Rng(seed, 1);
  const A = new Float32Array(n * k).map(() => rng.normal());
  return Float64Array.from(gramJs(A, n, k) as Float32Array);
}
function maxResidual(L: Float64Array, A: Float64Array, n: number): number {
  let e = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t <= j; t++) s += L[i * n + t]! * L[j * n + t]!;
      e = Math.max(e, Math.abs(s - A[i * n + j]!));
    }
  return e;
}

test('unblocked and blocked Cholesky reproduce the matrix', async () => {
  const n = 70;
  const A = randomCov(n, 200, 1);
  const L1 = await cholesky(A, n);
  assert.ok(maxResidual(L1, A, n) < 1e-9);
  const L2 = await cholesky(A, n, { block: 16, unblockedUpTo: 0 });
  assert.ok(maxResidual(L2, A, n) < 1e-3, 'float32 trailing updates');
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L2[i * n + j], 0);
});

test('a singular covariance needs and records a jitter', async () => {
  const n = 40;
  const A = randomCov(n, 10, 2); // rank 10
  const r = await choleskyWithJitter(A, n, { jitterRel: 1e-8 });
  assert.ok(r.jitter > 0 && r.attempts >= 1);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += A[i * n + i]! / n;
  assert.ok(Math.abs(r.jitter - r.jitterRel * meanDiag) < 1e-12 * meanDiag);
  const Aj = Float64Array.from(A);
  for (let i = 0; i < n; i++) Aj[i * n + i] += r.jitter;
  assert.ok(maxResidual(r.L, Aj, n) < 1e-8 * meanDiag);
  await assert.rejects(
    choleskyWithJitter(
      Float64Array.from(A, (v, i) => (i === 0 ? -1e6 : v)),
      n,
      {},
    ),
    /not positive definite/,
  );
});
