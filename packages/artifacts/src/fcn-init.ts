import { Rng } from './random.ts';

/**
 * Spec §1.1 init: W_l ~ Normal(0, σ²), σ = sqrt(2/(fan_in+fan_out)) (Glorot normal, not
 * truncated), drawn row-major from Rng(seed, 100 + l). Shared by train and rewind so that
 * `reinit` with seed s reproduces the dense network the trainer builds with seed s.
 */
export function glorotNormal(seed: number, l: number, fanIn: number, fanOut: number): Float32Array {
  const rng = new Rng(seed, 100 + l);
  const sigma = Math.sqrt(2 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal() * sigma;
  return w;
}
