/**
 * The claims file's schema (`pipelines/findings.yaml`, key `claims`): each claim names the
 * experiments it compares, the metric and the u where it is read, the effect kind, the
 * paper's statement (and number, where it has one) and the verdict rule. The findings stage
 * validates its config with it; the pipeline reads the experiment names off it to plan them.
 */
import { z } from 'zod';

const experiment = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'an experiment name (lower-case letters, digits and dashes)');
const metric = z
  .string()
  .min(1)
  .describe("a column of the analysis' levels table (best_val_top1, locality_ratio, locality_ratio_strict, r_half, …)");
const uValue = z.number().gt(0).max(1);
const uPoint = uValue.describe('u (kept fraction, 0 < u ≤ 1): each experiment is read at its level nearest in log u');
const uRange = z
  .tuple([uValue, uValue])
  .refine(([a, b]) => a <= b, 'u range: [min, max] with min ≤ max')
  .describe('[min, max] of u: every level of the (first) experiment with u in the range');
const uAt = z.union([uPoint, uRange]);

/** The effect kinds: few and general (a claim's effect is one of these, computed per seed). */
export const Effect = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('difference'),
      a: experiment,
      b: experiment,
      metric: z
        .string()
        .min(1)
        .describe('a per-level metric (with u), or an experiment scalar such as gain_over_dense_rel (without u)'),
      u: uAt
        .optional()
        .describe(
          'where A is read (one u, or a range of A levels); B at its level nearest in log u. None: an experiment scalar',
        ),
    })
    .strict()
    .describe('paired difference A − B of a metric, paired by seed'),
  z
    .object({ kind: z.literal('reference'), experiment, metric, u: uAt })
    .strict()
    .describe("a per-level metric itself, against the rule's value (e.g. a random mask's locality ratio = 1)"),
  z
    .object({
      kind: z.literal('scalar'),
      experiment,
      metric: z
        .string()
        .min(1)
        .describe(
          'an experiment scalar of the aggregate: peak_val_top1, dense_val_top1, u_at_peak, gain_over_dense, gain_over_dense_rel, fall_after_peak',
        ),
    })
    .strict()
    .describe('an experiment scalar per seed (e.g. peak minus dense within one experiment)'),
  z
    .object({
      kind: z.literal('trend'),
      experiment,
      metric,
      u: uRange,
    })
    .strict()
    .describe(
      'per seed, the least-squares slope of the metric against −log10 u over the levels in the range: its change per decade of pruning',
    ),
  z
    .object({
      kind: z.literal('ordering'),
      experiments: z.array(experiment).min(2).describe('in the order the claim states (e.g. less data → more data)'),
      metric,
      u: uPoint,
    })
    .strict()
    .describe('per seed, the least-squares slope of the metric against the position in the list (0, 1, 2, …)'),
]);
export type Effect = z.output<typeof Effect>;

export const Rule = z
  .object({
    reproducedIf: z
      .enum(['above', 'below', 'equal'])
      .describe(
        "above/below: reproduced if the effect's CI lies above/below `value`, contradicted if it lies below/above it; " +
          'equal: reproduced if the CI contains `value` (and lies within ± tolerance, if given), contradicted if it excludes it; ' +
          'else inconclusive. Over a u range: reproduced at every level, contradicted at some level',
      ),
    value: z.number().default(0).describe('the reference the CI is compared with'),
    tolerance: z
      .number()
      .nonnegative()
      .optional()
      .describe('equal only: the CI must also lie within value ± tolerance'),
  })
  .strict();
export type Rule = z.output<typeof Rule>;

export const Claim = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'lower-case letters, digits, dots and dashes'),
    title: z.string().min(1).describe('the claim, as one sentence'),
    paper: z.string().default('').describe('what the paper states (spec section), in words'),
    paperValue: z.number().optional().describe("the paper's own number for this effect, where it has one"),
    effect: Effect.optional(),
    rule: Rule.optional(),
    pending: z
      .string()
      .min(1)
      .optional()
      .describe('instead of effect and rule: why this claim is not computed yet (listed as such, never as a verdict)'),
  })
  .strict()
  .refine((c) => (c.pending ? !c.effect && !c.rule : !!c.effect && !!c.rule), {
    message: 'a claim has either effect and rule, or pending (a reason), not both',
  });
export type Claim = z.output<typeof Claim>;

export const Claims = z
  .array(Claim)
  .min(1)
  .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'claim ids must be unique');

/** Every experiment a claim names, in order of first mention. */
export function experimentsOf(e: Effect): string[] {
  switch (e.kind) {
    case 'difference':
      return [e.a, e.b];
    case 'ordering':
      return [...e.experiments];
    default:
      return [e.experiment];
  }
}

/** Every experiment the claims name, in order of first mention. */
export function claimedExperiments(claims: Claim[]): string[] {
  return [...new Set(claims.flatMap((c) => (c.effect ? experimentsOf(c.effect) : [])))];
}
