import type { Rng } from '@imp/artifacts';
import { erf } from './erf.ts';
import { FFT } from './fft.ts';

/**
 * Non-linear Gaussian process images (Ingrosso & Goldt, PNAS 2022) on an L x L torus.
 * z: a stationary Gaussian field with unit variance and correlation
 *    rho(dx, dy) = p(dx) p(dy) / p(0)^2,  p(d) = sum_m exp(-(d + mL)^2 / xi^2)
 *    (the squared-exponential kernel exp(-|d|^2/xi^2) made periodic by summing its images,
 *    which keeps it positive definite on the torus);
 * x = erf(g z) / Z(g), Z(g)^2 = (2/pi) asin(2g^2 / (1 + 2g^2)), so Var x = 1.
 * For jointly Gaussian unit-variance z1, z2 with correlation rho,
 *    E[erf(g z1) erf(g z2)] = (2/pi) asin(2 g^2 rho / (1 + 2 g^2)),
 * so x has correlation C(d) = asin(a rho(d)) / asin(a), a = 2g^2/(1+2g^2): its Gaussian
 * clone is the stationary Gaussian field with exactly this covariance.
 */
export function gpCorrelation(L: number, xi: number): Float64Array {
  const p = new Float64Array(L);
  const images = Math.ceil((4 * xi) / L) + 1;
  for (let d = 0; d < L; d++)
    for (let m = -images; m <= images; m++) p[d]! += Math.exp(-((d + m * L) ** 2) / (xi * xi));
  const rho = new Float64Array(L * L);
  for (let y = 0; y < L; y++) for (let x = 0; x < L; x++) rho[y * L + x] = (p[y]! * p[x]!) / (p[0]! * p[0]!);
  return rho;
}

export const erfGainA = (g: number) => (2 * g * g) / (1 + 2 * g * g);
export const erfNorm = (g: number) => Math.sqrt((2 / Math.PI) * Math.asin(erfGainA(g)));

/** Correlation of x = erf(g z)/Z(g) given the correlation rho of z (the arcsine law). */
export function nlgpCorrelation(rho: Float64Array, g: number): Float64Array {
  const a = erfGainA(g);
  const s = Math.asin(a);
  return Float64Array.from(rho, (r) => Math.asin(a * r) / s);
}

/** Square roots of the eigenvalues of the circulant covariance with lag function c (its 2-D DFT). */
export function sqrtSpectrum(c: Float64Array, L: number): Float64Array {
  const re = Float64Array.from(c);
  const im = new Float64Array(L * L);
  const f = new FFT(L);
  for (let y = 0; y < L; y++) f.transform(re, im, y * L, 1, false);
  for (let x = 0; x < L; x++) f.transform(re, im, x, L, false);
  // Real (c is symmetric) and >= 0 (positive semi-definite); clip rounding noise.
  return Float64Array.from(re, (v) => Math.sqrt(Math.max(0, v)));
}

/**
 * Samples n stationary Gaussian fields with spectrum sqrt `s` into out[o0 + i*L*L ...]
 * (float32), two at a time and straight from the frequency domain: the DFT of complex white
 * noise w1 + i w2 is again complex white noise (variance 2N per frequency), so we draw it
 * directly, multiply by s and invert once; the real and imaginary parts are two independent
 * real fields with covariance circulant(s^2) (s is real and even).
 */
export function sampleGaussianFields(
  n: number,
  L: number,
  s: Float64Array,
  rng: Rng,
  out: Float32Array,
  o0: number,
  map?: (z: number) => number,
): void {
  const N = L * L;
  const re = new Float64Array(N),
    im = new Float64Array(N);
  const f = new FFT(L);
  const amp = Float64Array.from(s, (v) => v * Math.sqrt(N));
  for (let i = 0; i < n; i += 2) {
    for (let j = 0; j < N; j++) {
      re[j] = amp[j]! * rng.normal();
      im[j] = amp[j]! * rng.normal();
    }
    for (let x = 0; x < L; x++) f.transform(re, im, x, L, true);
    for (let y = 0; y < L; y++) f.transform(re, im, y * L, 1, true);
    const a = o0 + i * N;
    for (let j = 0; j < N; j++) out[a + j] = map ? map(re[j]!) : re[j]!;
    if (i + 1 < n) for (let j = 0; j < N; j++) out[a + N + j] = map ? map(im[j]!) : im[j]!;
  }
}

export type NlgpVariant = 'nlgp' | 'clone' | 'gp';

/** Samples n images of one class (correlation length xi) for a variant. */
export function sampleClass(
  variant: NlgpVariant,
  n: number,
  L: number,
  xi: number,
  gain: number,
  rng: Rng,
  out: Float32Array,
  o0: number,
): void {
  const rho = gpCorrelation(L, xi);
  if (variant === 'clone') return sampleGaussianFields(n, L, sqrtSpectrum(nlgpCorrelation(rho, gain), L), rng, out, o0);
  const s = sqrtSpectrum(rho, L);
  if (variant === 'gp') return sampleGaussianFields(n, L, s, rng, out, o0);
  const Z = erfNorm(gain);
  sampleGaussianFields(n, L, s, rng, out, o0, (z) => erf(gain * z) / Z);
}
