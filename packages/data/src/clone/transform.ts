import { z } from 'zod';
import { defineTransform } from '../define.ts';
import { gaussianClone } from './gaussian-clone.ts';

/**
 * The `gaussian-clone` transform (README in src/photos/README.md, "Gaussian clone"):
 * replaces every image of every split by a Gaussian sample with its class's training
 * mean and covariance. Works on any source (MNIST, Fashion-MNIST, photos, NLGP, ...);
 * pixels become float32 on the source's own scale (pixel_range is kept).
 */
export const gaussianCloneTransform = defineTransform({
  name: 'gaussian-clone',
  description:
    "replace each image by a Gaussian sample with its class's empirical TRAINING mean and full covariance (same labels, order and split sizes; val drawn from the training statistics); exact Cholesky with a recorded jitter",
  options: {
    jitterRel: z
      .number()
      .positive()
      .default(1e-6)
      .describe(
        'first Cholesky jitter added to the covariance diagonal, relative to the mean pixel variance of the class; raised ×10 until the factorisation succeeds',
      ),
    maxJitterRel: z.number().positive().default(1e-2).describe('largest relative jitter tried before failing'),
  },
  async apply(ds, c, ctx) {
    const r = await gaussianClone(ds, ctx.rng, {
      jitterRel: c.jitterRel,
      maxJitterRel: c.maxJitterRel,
      block: 256,
      log: ctx.log,
    });
    ctx.log(
      `gaussian-clone: stats ${r.timings.stats_s.toFixed(2)} s, cholesky ${r.timings.cholesky_s.toFixed(2)} s, sampling ${r.timings.sample_s.toFixed(2)} s on ${String(r.backend.backend)}`,
    );
    return {
      dataset: { ...ds, train: r.train, val: r.val },
      record: {
        statistics:
          'per class: mean and unbiased (n-1) covariance of its TRAINING images; train and val samples both drawn from them',
        sampling:
          'x = mean + L z, L L^T = cov + jitter I (Cholesky, float64; trailing updates on the engine above 1024 pixels), z standard normal (Box-Muller on the seeded Rng)',
        constant_pixels: 'pixels with training variance <= 1e-12 x the mean variance are set to the class mean',
        dtype: 'float32',
        classes: r.classes,
        backend: r.backend,
      },
    };
  },
});
