import { z } from 'zod';
import { defineSource } from '../define.ts';
import { sampleClass } from '../nlgp/field.ts';
import type { SplitData } from '../types.ts';
import type { Rng } from '@imp/artifacts';

/**
 * Synthetic non-Gaussian images with a known covariance (Ingrosso & Goldt, PNAS 2022, "Data-driven
 * emergence of convolutional structure in neural networks"): classify the correlation length xi.
 * Variant 'nlgp' = erf(g z)/Z, 'clone' = the Gaussian field with the same covariance as 'nlgp'
 * (analytic, arcsine law; see src/nlgp/field.ts), 'gp' = z itself. Float32 pixels, unit variance.
 */
function makeSplit(
  n: number,
  L: number,
  xis: number[],
  variant: 'nlgp' | 'clone' | 'gp',
  gain: number,
  rng: Rng,
): SplitData {
  const K = xis.length;
  const N = L * L;
  const x = new Float32Array(n * N);
  const y = new Int32Array(n);
  for (let k = 0; k < K; k++) {
    // Classes interleave (image j of class k at j*K + k), so any prefix is balanced.
    const nk = Math.floor(n / K) + (k < n % K ? 1 : 0);
    const block = new Float32Array(nk * N);
    sampleClass(variant, nk, L, xis[k]!, gain, rng, block, 0);
    for (let j = 0; j < nk; j++) {
      const i = j * K + k;
      x.set(block.subarray(j * N, (j + 1) * N), i * N);
      y[i] = k;
    }
  }
  return { x, y };
}

export const nlgpSource = defineSource({
  name: 'nlgp',
  description:
    'synthetic NLGP images (Ingrosso & Goldt 2022): periodic Gaussian field with correlation length xi, through erf(gain*z)/Z; task = which xi. variant clone/gp = Gaussian controls',
  options: {
    variant: z
      .enum(['nlgp', 'clone', 'gp'])
      .default('nlgp')
      .describe(
        "'nlgp' = erf(gain z)/Z (non-Gaussian); 'clone' = Gaussian field with the same covariance (analytic); 'gp' = the underlying Gaussian field z",
      ),
    size: z.number().int().min(2).max(256).default(28).describe('image side L (L x L, one channel, periodic boundary)'),
    xi: z
      .array(z.number().positive())
      .min(2)
      .default([1, 3])
      .describe('correlation lengths, one class each (kernel exp(-d^2/xi^2))'),
    gain: z.number().positive().default(3).describe('gain g of the erf nonlinearity (larger = less Gaussian)'),
    nTrain: z.number().int().positive().default(60000).describe('training images (classes interleaved and balanced)'),
    nVal: z.number().int().positive().default(10000).describe('validation images'),
  },
  async load(cfg, { rng }) {
    // One stream, train first then val: fixed by the seed.
    const train = makeSplit(cfg.nTrain, cfg.size, cfg.xi, cfg.variant, cfg.gain, rng);
    const val = makeSplit(cfg.nVal, cfg.size, cfg.xi, cfg.variant, cfg.gain, rng);
    return {
      train,
      val,
      layout: { channels: 1, height: cfg.size, width: cfg.size, order: 'chw' },
      class_names: cfg.xi.map((v) => `xi=${v}`),
      num_classes: cfg.xi.length,
      provenance: {
        dataset: 'NLGP (Ingrosso & Goldt, PNAS 2022)',
        variant: cfg.variant,
        covariance: 'rho(d) = p(dx)p(dy)/p(0)^2, p(d) = sum_m exp(-(d+mL)^2/xi^2) (periodic)',
        nonlinearity: cfg.variant === 'nlgp' ? 'erf(g z)/Z(g), Z^2 = (2/pi) asin(2g^2/(1+2g^2))' : 'none',
        clone_covariance: 'asin(a rho)/asin(a), a = 2g^2/(1+2g^2)',
      },
      pixel_range: 1,
    };
  },
});
