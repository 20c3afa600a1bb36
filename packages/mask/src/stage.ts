import { z } from 'zod';
import { ConfigError, type StageDef } from '@imp/artifacts';

/**
 * Mask stage (spec §3.2, §3.3): from the trained parameters of level k-1 and that level's mask,
 * the mask of level k. Kept light: the work happens in run.ts, imported lazily.
 */
export const MaskConfig = z
  .object({
    strategy: z
      .enum(['layerwise', 'global', 'random', 'oneshot', 'bernoulli'])
      .default('layerwise')
      .describe(
        'layerwise = per-layer magnitude (the paper, spec §3.2); global = one magnitude ranking over all pruned layers (open_lth); random = uniform among alive entries at the same per-layer density (seeded); oneshot = per-layer magnitude straight to targetDensity; bernoulli = random sparse init as in the authors code (init_sparsity, spec §3.3 (2)): each weight kept i.i.d. with probability = the schedule density, biases kept, the previous mask ignored (levels are independent nets; pair with rewind mode init)',
      ),
    fraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.3)
      .describe(
        'fraction of the remaining entries pruned per level: level k keeps round(N·(1-fraction)^k) per layer (spec §3.2 prune_ratio)',
      ),
    level: z.number().int().min(1).default(1).describe('IMP level k this mask is for (k prunings done)'),
    targetDensity: z
      .number()
      .gt(0)
      .max(1)
      .nullable()
      .default(null)
      .describe(
        'kept fraction per layer, overriding the fraction/level schedule (required by oneshot; e.g. 0.0097 for u≈0.97%)',
      ),
    layers: z
      .array(z.number().int().min(1))
      .nullable()
      .default(null)
      .describe('1-based layers to prune; null = every layer but the output layer (spec §3.2 prune="T:T:T:F")'),
    stopRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe(
        'stop rule: fires when in some pruned layer at most this fraction of nodes keeps an incoming connection (spec §3.2)',
      ),
    seed: z.number().int().min(0).default(0).describe('seed of the random strategy'),
  })
  .strict();
export type MaskConfig = z.output<typeof MaskConfig>;

export const maskStage: StageDef<typeof MaskConfig> = {
  name: 'mask',
  algoVersion: '1',
  description:
    'Prune: layer-wise/global magnitude, random or one-shot mask of level k from trained parameters and the previous mask.',
  config: MaskConfig,
  seedField: 'seed',
  plannerKeys: ['level'],
  inputs: {
    params: { kind: 'parameters', description: 'trained (final) parameters of the previous level' },
    previous: { kind: 'mask', description: 'mask of the previous level (absent: all ones)', optional: true },
  },
  outputs: { mask: { kind: 'mask', description: 'mask.arrow: uint8 W{l}, b{l} of the pruned layers' } },
  async run(ctx) {
    if (ctx.config.strategy === 'oneshot' && ctx.config.targetDensity === null)
      throw new ConfigError(`mask config: field 'targetDensity': required by strategy 'oneshot'`);
    const { runMask } = await import('./run.ts');
    await runMask(ctx);
  },
};
