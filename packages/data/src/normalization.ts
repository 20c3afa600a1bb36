import type { LoadedDataset } from './types.ts';
import { imageDim } from './types.ts';

export type NormalizationKind = 'paper' | 'standardize';

/**
 * The network input is (x - offset) * scale, per pixel (contract brief, normalization.arrow).
 * - 'paper' (spec §2.1): offset = mean training image, scale = 1/255 for uint8 pixels
 *   (1/pixel_range in general). The authors took the mean of train_data_batch_1 only; we use the
 *   mean of the final training split (after transforms), which is what the transformed data needs.
 * - 'standardize': offset = per-pixel training mean, scale = 1/std (population std; 1 where std=0).
 * Statistics are accumulated in float64 in a fixed order, so they are reproducible bit for bit.
 */
export function normalizationStats(
  ds: LoadedDataset,
  kind: NormalizationKind,
): { offset: Float32Array; scale: Float32Array } {
  const D = imageDim(ds.layout);
  const { x } = ds.train;
  const n = x.length / D;
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const o = i * D;
    for (let j = 0; j < D; j++) {
      const v = x[o + j]!;
      sum[j]! += v;
      sq[j]! += v * v;
    }
  }
  const offset = new Float32Array(D);
  const scale = new Float32Array(D);
  for (let j = 0; j < D; j++) {
    const m = n ? sum[j]! / n : 0;
    offset[j] = m;
    if (kind === 'paper') scale[j] = 1 / ds.pixel_range;
    else {
      const v = n ? Math.max(0, sq[j]! / n - m * m) : 0;
      scale[j] = v > 1e-12 ? 1 / Math.sqrt(v) : 1;
    }
  }
  return { offset, scale };
}
