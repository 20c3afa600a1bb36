import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset, dataConfigSchema } from '../stage.ts';
import { gpCorrelation, nlgpCorrelation } from '../nlgp/field.ts';
import { covOf, meanExcessKurtosis, rowsOf, samplingErrorRatio } from './stats-helpers.ts';

/** Full L²×L² covariance of a stationary torus field from its lag function c (c[dy*L+dx]). */
function torusCov(c: Float64Array, L: number): Float64Array {
  const D = L * L;
  const C = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j < D; j++) {
      const dy = (Math.floor(j / L) - Math.floor(i / L) + L) % L;
      const dx = ((j % L) - (i % L) + L) % L;
      C[i * D + j] = c[dy * L + dx]!;
    }
  return C;
}

test("NLGP: the empirical clone's covariance matches the data stage's analytical clone within sampling error", async (t) => {
  const L = 10;
  const D = L * L;
  const xi = [1, 3];
  const gain = 3;
  const base = { source: { name: 'nlgp', size: L, xi, gain, nTrain: 8000, nVal: 2000 }, seed: 2 };
  const { dataset: src } = await buildDataset(dataConfigSchema.parse(base));
  const { dataset: cl } = await buildDataset(
    dataConfigSchema.parse({ ...base, transforms: [{ name: 'gaussian-clone' }] }),
  );
  for (let c = 0; c < 2; c++) {
    const analytic = torusCov(nlgpCorrelation(gpCorrelation(L, xi[c]!), gain), L);
    const X = rowsOf(cl.train.x, cl.train.y, c, D);
    const n = X.length / D;
    // The clone's covariance estimates the source's empirical one (n source images),
    // itself an estimate of the analytic one.
    const nEff = 1 / (1 / (n - 1) + 1 / (n - 1)) + 1;
    const r = samplingErrorRatio(covOf(X, D), analytic, D, nEff);
    const rVal = samplingErrorRatio(
      covOf(rowsOf(cl.val.x, cl.val.y, c, D), D),
      analytic,
      D,
      1 / (1 / (n - 1) + 1 / 999) + 1,
    );
    const other = samplingErrorRatio(
      covOf(X, D),
      torusCov(nlgpCorrelation(gpCorrelation(L, xi[1 - c]!), gain), L),
      D,
      nEff,
    );
    const kSrc = meanExcessKurtosis(rowsOf(src.train.x, src.train.y, c, D), D);
    const kCl = meanExcessKurtosis(X, D);
    t.diagnostic(
      `xi=${xi[c]}: error ratio train ${r.toFixed(2)} val ${rVal.toFixed(2)} (other class ${other.toFixed(1)}); excess kurtosis NLGP ${kSrc.toFixed(3)} clone ${kCl.toFixed(3)}`,
    );
    assert.ok(r > 0.5 && r < 2, `train ratio ${r}`);
    assert.ok(rVal > 0.5 && rVal < 2, `val ratio ${rVal}`);
    assert.ok(other > 5, `other-class ratio ${other}`);
    assert.ok(Math.abs(kCl) < 0.1, `clone kurtosis ${kCl}`);
    assert.ok(kSrc < -0.3, `NLGP (erf, gain ${gain}) is platykurtic: ${kSrc}`);
  }
});
