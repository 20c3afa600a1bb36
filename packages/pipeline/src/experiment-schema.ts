import { z } from 'zod';

/**
 * Which implementation runs a stage: a package stage by name, or any command that
 * honours the stage contract (docs/architecture.md) run through execa. Swapping a
 * stage is an edit of the experiment file, never of the code.
 */
export const StageImpl = z.union([
  z.string().describe('a package stage: data, train, mask, rewind, analysis, report'),
  z
    .object({
      command: z
        .array(z.string())
        .min(1)
        .describe('argv of a command honouring the stage contract, e.g. ["python3", "my_rewind.py"]'),
    })
    .strict(),
]);
export type StageImpl = z.infer<typeof StageImpl>;

const stageBlock = (defaultStage: string, what: string) =>
  z
    .object({
      stage: StageImpl.default(defaultStage).describe(`implementation of the ${what} stage`),
      config: z
        .record(z.string(), z.unknown())
        .default({})
        .describe(`${what} stage config (validated by that stage's schema)`),
    })
    .strict();

export const Experiment = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
      .describe('experiment name; the Nx project is exp-<name>'),
    description: z.string().default(''),
    extends: z.string().optional().describe('another experiment file (relative path) whose fields this one overrides'),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe(
        "seed for every stage that takes one (unless its config sets its own); with `seeds`, only the data seed's default",
      ),
    seeds: z
      .array(z.number().int().nonnegative())
      .min(1)
      .refine((a) => new Set(a).size === a.length, 'seeds must be distinct')
      .optional()
      .describe(
        'training seeds: one chain (train-L0 … train-Ln, masks, rewinds, analysis) per seed, sharing the dataset; ' +
          'with more than one, task names get -s<seed> (train-L3-s1) and an aggregate over seeds (mean, sd, 95% CI) ' +
          "feeds the report. A seed's chain has the same ids whatever the list (default: [seed])",
      ),
    dataSeed: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("seed of the data stage (subsets, noise, crops), shared by every seed's chain (default: seed)"),
    slurm: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Slurm executor settings: resources per stage, partition, account, qos (docs/schedulers.md)'),
    data: stageBlock('data', 'data'),
    train: stageBlock('train', 'train'),
    prune: z
      .object({
        stage: StageImpl.default('mask'),
        config: z.record(z.string(), z.unknown()).default({}),
        levels: z
          .number()
          .int()
          .min(0)
          .max(40)
          .describe('number of pruning levels after the dense level 0 (the stop rule is reported by the mask stage)'),
      })
      .strict(),
    rewind: z
      .object({
        stage: StageImpl.default('rewind'),
        config: z.record(z.string(), z.unknown()).default({}),
        step: z
          .number()
          .int()
          .nonnegative()
          .default(1000)
          .describe('level-0 step whose parameters later levels rewind to (late rewinding, spec §3.2)'),
      })
      .strict()
      .default({ stage: 'rewind', config: {}, step: 1000 }),
    analysis: stageBlock('analysis', 'analysis').default({ stage: 'analysis', config: {} }),
    report: stageBlock('report', 'report').default({ stage: 'report', config: {} }),
    // No default: a default block would enter the report's shown config and move every id.
    aggregate: stageBlock('aggregate', 'aggregate (statistics over seeds)')
      .optional()
      .describe(
        'the aggregate over seeds, planned when there is more than one seed (default: package stage aggregate)',
      ),
  })
  .strict();
export type Experiment = z.output<typeof Experiment>;

/** A comparison page across experiments (`compare: [...]` instead of stages). */
export const Comparison = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    description: z.string().default(''),
    compare: z.array(z.string()).min(2).describe('experiment names to show side by side'),
    stage: StageImpl.default('compare'),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type Comparison = z.output<typeof Comparison>;

/**
 * The findings file (`pipelines/findings.yaml`, `claims: [...]`): the paper's claims, each
 * read off the aggregates over seeds of the experiments it names. The claims are validated
 * by the findings stage's own schema (packages/findings/README.md); this is the envelope.
 */
export const FindingsFile = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    description: z.string().default(''),
    stage: StageImpl.default('findings').describe('implementation of the findings stage'),
    page: StageImpl.default('findings-page').describe('implementation of the findings page stage'),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('further findings stage config (e.g. confidence: 0.95)'),
    claims: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .describe('the claims: id, title, paper, paperValue, effect {kind, …}, rule {reproducedIf, value, tolerance}'),
    slurm: z.record(z.string(), z.unknown()).optional().describe('Slurm executor settings (docs/schedulers.md)'),
  })
  .strict();
export type FindingsFile = z.output<typeof FindingsFile>;
