import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { classPCs, symmetricEigen } from './class-pca.ts';

test('symmetric eigen (Jacobi): a known 3×3 matrix', () => {
  // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1; eigenvectors e3, (1,1,0)/√2, (1,−1,0)/√2.
  const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
  assert.deepEqual(
    [...values].map((v) => +v.toFixed(12)),
    [5, 3, 1],
  );
  assert.ok(Math.abs(Math.abs(vectors[2 * 3 + 0]!) - 1) < 1e-12);
  assert.ok(Math.abs(Math.abs(vectors[0 * 3 + 1]!) - Math.SQRT1_2) < 1e-12);
  assert.ok(Math.abs(vectors[0 * 3 + 2]! + vectors[1 * 3 + 2]!) < 1e-12);
});

test('class PCs recover known covariance directions and variances per class', () => {
  const D = 30,
    n = 3000;
  const rng = new Rng(2, 0);
  // Two classes, each with its own orthonormal directions (Gram–Schmidt of random vectors).
  const basis = () => {
    const B: Float64Array[] = [];
    for (let t = 0; t < 4; t++) {
      const v = Float64Array.from({ length: D }, () => rng.normal());
      for (const u of B) {
        const d = v.reduce((a, x, i) => a + x * u[i]!, 0);
        for (let i = 0; i < D; i++) v[i]! -= d * u[i]!;
      }
      const nrm = Math.hypot(...v);
      B.push(v.map((x) => x / nrm));
    }
    return B;
  };
  const dirs = [basis(), basis()];
  const sd = [10, 6, 3, 2];
  const x = new Float32Array(2 * n * D);
  const y = new Int32Array(2 * n);
  for (let s = 0; s < 2 * n; s++) {
    const c = s % 2;
    y[s] = c;
    for (let i = 0; i < D; i++) x[s * D + i] = 5 * c + 0.1 * rng.normal();
    for (let t = 0; t < 4; t++) {
      const z = sd[t]! * rng.normal();
      for (let i = 0; i < D; i++) x[s * D + i]! += z * dirs[c]![t]![i]!;
    }
  }
  const pcs = classPCs(x, y, D, 2, 4, new Rng(0, 1));
  for (let c = 0; c < 2; c++) {
    assert.equal(pcs.samples[c], n);
    for (let t = 0; t < 4; t++) {
      const v = pcs.vectors[c]!.subarray(t * D, (t + 1) * D);
      const dot = v.reduce((a, vi, i) => a + vi * dirs[c]![t]![i]!, 0);
      assert.ok(Math.abs(Math.abs(dot) - 1) < 0.01, `class ${c} PC ${t}: |cos| ${Math.abs(dot)}`);
      const rel = pcs.eigenvalues[c]![t]! / sd[t]! ** 2;
      assert.ok(Math.abs(rel - 1) < 0.1, `class ${c} eigenvalue ${t}: ${pcs.eigenvalues[c]![t]}`);
    }
    // Total variance: the four directions plus the isotropic 0.01 per pixel.
    const total = sd.reduce((a, s) => a + s * s, 0) + 0.01 * D;
    assert.ok(Math.abs(pcs.totalVariance[c]! / total - 1) < 0.1);
  }
  // Deterministic for a seed; a class without images gets NaN.
  const again = classPCs(x, y, D, 3, 4, new Rng(0, 1));
  assert.deepEqual(again.vectors[0], pcs.vectors[0]);
  assert.ok(Number.isNaN(again.eigenvalues[2]![0]!));
});
