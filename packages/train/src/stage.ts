import { z } from 'zod';
import { ConfigError, type StageDef, type StageOutput } from '@imp/artifacts';

/**
 * Train stage: the masked FCN of spec §1.1 trained as in spec §3.1. Defaults are the paper's.
 * Kept light (the Nx plugin imports it to plan): tfjs is imported inside run().
 */
export const TrainConfig = z
  .object({
    arch: z
      .string()
      .default('f1024:f1024:f1024:x')
      .describe("hidden layers f<width> then the output layer 'x' (spec §1.1)"),
    steps: z.number().int().min(1).default(100000).describe('SGD steps (spec §3.1: 100,000 per IMP iteration)'),
    batchSize: z.number().int().min(2).default(1000).describe('mini-batch size (spec §3.1: 1000)'),
    sampling: z
      .enum(['replacement', 'epochs'])
      .default('replacement')
      .describe(
        'replacement = every batch drawn uniformly with replacement (the paper, spec §2.1); epochs = reshuffled passes',
      ),
    optimizer: z.enum(['sgd', 'adam']).default('sgd').describe('sgd (the paper: plain SGD) or adam'),
    lr: z.number().gt(0).default(0.1).describe('learning rate, constant (spec §3.1: 0.1)'),
    momentum: z.number().min(0).lt(1).default(0).describe('SGD momentum (paper: 0)'),
    weightDecay: z
      .number()
      .min(0)
      .default(0)
      .describe('L2 weight decay on W and b (not BN) added to the gradient (paper: 0)'),
    adamBeta1: z.number().min(0).lt(1).default(0.9).describe('Adam β1'),
    adamBeta2: z.number().min(0).lt(1).default(0.999).describe('Adam β2'),
    adamEpsilon: z.number().gt(0).default(1e-8).describe('Adam ε'),
    bnDecay: z
      .number()
      .min(0)
      .lt(1)
      .default(0.99)
      .describe('decay of the BN running averages used for evaluation (spec §1.1 batch_norm_beta)'),
    bnEpsilon: z.number().gt(0).default(1e-10).describe('BN ε (spec §1.1: 1e-10; see README on constant pixels)'),
    evalEvery: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe('validate every k steps, plus step 0 and the last step (spec §3.1: 100)'),
    valSize: z
      .number()
      .int()
      .min(1)
      .nullable()
      .default(null)
      .describe('first n validation images to use (null = all; paper 10,000)'),
    trainEvalSize: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('also evaluate top-1/top-5 on the first n training images at each validation (0 = off)'),
    evalBatchSize: z.number().int().min(1).default(1000).describe('images per forward pass during evaluation'),
    checkpointEvery: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe('write a resumable checkpoint every n steps (does not change results)'),
    level: z.number().int().min(0).default(0).describe('IMP level k, labels the metric rows'),
    seed: z.number().int().min(0).default(0).describe('seed of the init (when no start params) and of the batch draws'),
    rewindStep: z
      .number()
      .int()
      .min(0)
      .nullable()
      .default(1000)
      .describe(
        'also output the parameters at step 0 (init) and at this step (rewind); null = neither (spec §3.2 weights_step)',
      ),
  })
  .strict();
export type TrainConfig = z.output<typeof TrainConfig>;

const outputsOf = (c: TrainConfig): Record<string, StageOutput> => ({
  final: { kind: 'parameters', description: 'parameters after the last step (with BN running stats)' },
  metrics: { kind: 'metrics', description: 'metrics.arrow: (level, step, split, metric, value) rows' },
  ...(c.rewindStep === null
    ? {}
    : {
        init: { kind: 'parameters', description: 'parameters at step 0' },
        rewind: { kind: 'parameters', description: `parameters after rewindStep updates (late-rewinding point)` },
      }),
});

export const trainStage: StageDef<typeof TrainConfig> = {
  name: 'train',
  // 2: the fused native step (issue 12) — same maths, different float rounding than the tfjs kernels.
  // 3: the fused step runs CSR/CSC products below mask density 0.4 (was 0.05): same maths,
  //    different rounding at levels 3-8 of a 30 %-per-level IMP run.
  algoVersion: '3',
  description:
    'Train the masked FCN (input batch norm, Glorot init, softmax CE) with SGD/Adam; resumable; validation top-1/top-5.',
  config: TrainConfig,
  seedField: 'seed',
  inputs: {
    dataset: { kind: 'dataset', description: 'train.arrow, val.arrow, normalization.arrow' },
    start: {
      kind: 'parameters',
      description: 'starting parameters (absent: Glorot-normal init from seed)',
      optional: true,
    },
    mask: { kind: 'mask', description: 'mask of W{l}, b{l} (absent: dense)', optional: true },
  },
  outputs: outputsOf,
  async run(ctx) {
    const c = ctx.config;
    if (c.rewindStep !== null && c.rewindStep > c.steps)
      throw new ConfigError(`train config: field 'rewindStep': ${c.rewindStep} is beyond steps (${c.steps})`);
    const { runTrain } = await import('./run.ts');
    await runTrain(ctx);
  },
};
