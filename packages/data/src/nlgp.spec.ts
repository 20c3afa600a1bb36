import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { FFT, naiveDft } from './nlgp/fft.ts';
import { erf } from './nlgp/erf.ts';
import { gpCorrelation, nlgpCorrelation, sampleClass } from './nlgp/field.ts';
import { nlgpSource } from './sources/nlgp.ts';

test('FFT matches the naive DFT for mixed-radix and prime sizes; inverse undoes it', () => {
  const r = new Rng(3);
  for (const n of [1, 2, 5, 12, 28, 31, 32]) {
    const re = Float64Array.from({ length: n }, () => r.normal());
    const im = Float64Array.from({ length: n }, () => r.normal());
    const [a, b] = naiveDft(re, im);
    const x = re.slice(),
      y = im.slice();
    const f = new FFT(n);
    f.transform(x, y, 0, 1, false);
    for (let k = 0; k < n; k++)
      assert.ok(Math.abs(x[k]! - a[k]!) < 1e-9 && Math.abs(y[k]! - b[k]!) < 1e-9, `n=${n} k=${k}`);
    f.transform(x, y, 0, 1, true);
    for (let k = 0; k < n; k++) assert.ok(Math.abs(x[k]! - re[k]!) < 1e-12 && Math.abs(y[k]! - im[k]!) < 1e-12);
  }
  assert.ok(Math.abs(erf(0.5) - 0.5204998778) < 2e-7 && Math.abs(erf(-2) + 0.995322265) < 2e-7);
});

/** Empirical lag covariances (averaged over positions, periodic) and kurtosis of the pixel marginal. */
function stats(x: Float32Array, L: number, lags: [number, number][]) {
  const N = L * L,
    n = x.length / N;
  const cov = lags.map(() => 0);
  let m2 = 0,
    m4 = 0,
    m1 = 0;
  for (let i = 0; i < n; i++) {
    const o = i * N;
    for (let p = 0; p < N; p++) {
      const v = x[o + p]!;
      m1 += v;
      m2 += v * v;
      m4 += v ** 4;
      const py = Math.floor(p / L),
        px = p % L;
      lags.forEach(([dy, dx], k) => (cov[k]! += v * x[o + ((py + dy) % L) * L + ((px + dx) % L)]!));
    }
  }
  const T = n * N;
  return { mean: m1 / T, cov: cov.map((c) => c / T), kurtosis: m4 / T / (m2 / T) ** 2 - 3 };
}

test('NLGP vs its Gaussian clone: same covariance (analytic and empirical), NLGP non-Gaussian, clone Gaussian', () => {
  const L = 16,
    xi = 2,
    g = 3,
    n = 3000;
  const lags: [number, number][] = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
    [0, 2],
    [3, 0],
  ];
  const rho = gpCorrelation(L, xi);
  const target = nlgpCorrelation(rho, g);
  const res: Record<string, ReturnType<typeof stats>> = {};
  for (const variant of ['nlgp', 'clone', 'gp'] as const) {
    const x = new Float32Array(n * L * L);
    sampleClass(variant, n, L, xi, g, new Rng(11, variant.length), x, 0);
    res[variant] = stats(x, L, lags);
  }
  lags.forEach(([dy, dx], k) => {
    const want = target[dy * L + dx]!;
    // Each estimate averages n*L*L correlated products; 0.03 is several standard errors here.
    assert.ok(Math.abs(res.nlgp!.cov[k]! - want) < 0.03, `nlgp lag ${dy},${dx}: ${res.nlgp!.cov[k]} vs ${want}`);
    assert.ok(Math.abs(res.clone!.cov[k]! - want) < 0.03, `clone lag ${dy},${dx}: ${res.clone!.cov[k]} vs ${want}`);
    assert.ok(Math.abs(res.gp!.cov[k]! - rho[dy * L + dx]!) < 0.03, `gp lag ${dy},${dx}`);
  });
  // The nonlinearity changes the covariance (otherwise the clone test would be vacuous).
  assert.ok(Math.abs(target[1]! - rho[1]!) > 0.05);
  assert.ok(res.nlgp!.kurtosis < -0.8, `nlgp excess kurtosis ${res.nlgp!.kurtosis}`);
  assert.ok(Math.abs(res.clone!.kurtosis) < 0.1, `clone excess kurtosis ${res.clone!.kurtosis}`);
  assert.ok(Math.abs(res.nlgp!.mean) < 0.03 && Math.abs(res.clone!.mean) < 0.03);
});

test('NLGP source: balanced interleaved classes, float32 chw, deterministic by seed, 20k 28x28 quickly', async () => {
  const cfg = { name: 'nlgp', variant: 'nlgp' as const, size: 28, xi: [1, 3], gain: 3, nTrain: 20000, nVal: 11 };
  const t = performance.now();
  const a = await nlgpSource.load(cfg, { rng: new Rng(5, 1), seed: 5, log: () => {} });
  const secs = (performance.now() - t) / 1000;
  assert.ok(secs < 60, `took ${secs}s`);
  assert.ok(a.train.x instanceof Float32Array && a.train.x.length === 20000 * 784);
  assert.deepEqual([...a.val.y], [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  const b = await nlgpSource.load({ ...cfg, nTrain: 10 }, { rng: new Rng(5, 1), seed: 5, log: () => {} });
  assert.deepEqual(b.train.y, Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]));
  assert.equal(a.class_names[1], 'xi=3');
});
