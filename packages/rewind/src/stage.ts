import { z } from 'zod';
import type { InputSource, StageDef } from '@imp/artifacts';

/**
 * Rewind stage (spec §3.2): the starting point of IMP level k ≥ 1 under its mask. Kept light;
 * the work is in run.ts, imported lazily.
 */
export const RewindConfig = z
  .object({
    mode: z
      .enum(['late', 'init', 'reinit', 'finetune'])
      .default('late')
      .describe(
        "late = rewind to step k of level 0 (the paper, 'late rewinding'); init = rewind to step 0 (original lottery ticket); reinit = fresh Glorot-normal init under the mask (seeded); finetune = continue from the trained weights",
      ),
    lrRewind: z
      .boolean()
      .default(true)
      .describe(
        "learning-rate rewinding: recorded as metadata lr_rewind for the trainer; moot with the paper's constant-LR SGD (spec §3.2), see README",
      ),
    seed: z.number().int().min(0).default(0).describe('seed of the reinit mode (same init convention as @imp/train)'),
  })
  .strict();
export type RewindConfig = z.output<typeof RewindConfig>;

export const rewindStage: StageDef<typeof RewindConfig> = {
  name: 'rewind',
  algoVersion: '1',
  description:
    'Rewind parameters for the next IMP level: late rewinding, rewind to init, random re-init or fine-tuning; masked entries zeroed, BN running stats reset.',
  config: RewindConfig,
  seedField: 'seed',
  plannerKeys: [],
  // Late rewinding (spec §3.2) goes back to step k of level 0; init and reinit start from level 0's
  // step 0 (reinit only reads its shapes); finetune continues from the previous level's final weights.
  // The planner also applies this to an external rewind command's parsed config, which may omit
  // `mode`: its default comes from the schema here, nowhere else.
  inputSources(c): Record<string, InputSource> {
    const mode = RewindConfig.shape.mode.parse(c.mode);
    if (mode === 'late') return { source: { from: 'level0', output: 'rewind' } };
    if (mode === 'finetune')
      return { source: { from: 'previous', output: 'final' }, trained: { from: 'previous', output: 'final' } };
    return { source: { from: 'level0', output: 'init' } };
  },
  inputs: {
    source: {
      kind: 'parameters',
      description:
        'parameters to rewind to (step k of level 0 for late, step 0 for init; shapes only for reinit); required except in finetune mode',
      optional: true,
    },
    trained: { kind: 'parameters', description: 'trained parameters to continue from (finetune mode)', optional: true },
    mask: {
      kind: 'mask',
      description: 'mask of the new level; masked entries are zeroed (absent: dense)',
      optional: true,
    },
  },
  outputs: {
    params: { kind: 'parameters', description: 'params.arrow: W{l}, b{l}, bn{l}.gamma/beta (no running stats)' },
  },
  async run(ctx) {
    const { runRewind } = await import('./run.ts');
    await runRewind(ctx);
  },
};
