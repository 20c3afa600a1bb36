import { basename } from 'node:path';
import { z } from 'zod';
import { ArtifactError, type StageDef } from '@imp/artifacts';
import { claimedExperiments, Claims } from './claims.ts';
import { readAggregate } from './aggregate-data.ts';
import { ClaimError, evaluateClaim, type ExperimentData, type Finding } from './effects.ts';
import { writeTable, type Row, type TableDecl } from './tables.ts';

export const FindingsConfig = z
  .object({
    claims: Claims.describe('the claims (pipelines/findings.yaml), each with its effect and verdict rule'),
    confidence: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.95)
      .describe(
        "confidence of the effects' t intervals (the aggregates' own level does not matter: per-seed values are read)",
      ),
  })
  .strict();

const TABLES: Record<string, TableDecl> = {
  findings: {
    name: 'findings',
    title: 'one row per claim: effect over seeds, its confidence interval, and the verdict',
    columns: [
      { name: 'id', type: 'str', description: 'claim id' },
      { name: 'title', type: 'str', description: 'the claim' },
      {
        name: 'kind',
        type: 'str',
        description: 'effect kind (difference, reference, scalar, trend, ordering) or pending',
      },
      { name: 'experiments', type: 'str', description: 'experiments read, comma-separated' },
      { name: 'metric', type: 'str', description: 'metric' },
      { name: 'where', type: 'str', description: 'levels read at the deciding point' },
      { name: 'u', type: 'float', format: 'percent', description: 'u at the deciding point (NaN: not a per-u effect)' },
      { name: 'n', type: 'int', description: 'seeds (pairs) in the statistic' },
      { name: 'effect', type: 'float', description: 'mean effect over seeds' },
      { name: 'sd', type: 'float', description: 'its sample sd' },
      { name: 'ci_lo', type: 'float', description: 'lower end of its t confidence interval' },
      { name: 'ci_hi', type: 'float', description: 'upper end' },
      { name: 'verdict', type: 'str', description: 'reproduced | contradicted | inconclusive (pending: not computed)' },
      { name: 'rule', type: 'str', description: 'the verdict rule, in words' },
      { name: 'paper', type: 'str', description: "the paper's statement" },
      { name: 'paper_value', type: 'float', description: "the paper's number (NaN: none)" },
      { name: 'note', type: 'str', description: 'caveats (seeds paired, pending reason)' },
    ],
  },
  finding_points: {
    name: 'finding_points',
    title: 'every point a claim is read at (one per level over a u range)',
    columns: [
      { name: 'id', type: 'str', description: 'claim id' },
      { name: 'where', type: 'str', description: 'levels read' },
      { name: 'u', type: 'float', format: 'percent', description: 'u' },
      { name: 'n', type: 'int', description: 'seeds' },
      { name: 'effect', type: 'float', description: 'mean' },
      { name: 'ci_lo', type: 'float', description: 'CI low' },
      { name: 'ci_hi', type: 'float', description: 'CI high' },
      { name: 'verdict', type: 'str', description: 'verdict at this point' },
    ],
  },
};

function findingRow(f: Finding): Row {
  const p = f.point;
  return {
    id: f.id,
    title: f.title,
    kind: f.kind,
    experiments: f.experiments.join(', '),
    metric: f.metric,
    where: p?.levels ?? '',
    u: p?.u ?? null,
    n: p?.stat.n ?? 0,
    effect: p?.stat.mean ?? null,
    sd: p?.stat.sd ?? null,
    ci_lo: p?.stat.lo ?? null,
    ci_hi: p?.stat.hi ?? null,
    verdict: f.verdict,
    rule: f.rule,
    paper: f.paper,
    paper_value: f.paperValue,
    note: f.note,
  };
}

/**
 * The `findings` stage: the paper's claims (config) read off the aggregates of the
 * experiments they name (`aggregate.<experiment>`): per claim the effect over seeds, its
 * Student t interval and the verdict of its rule — reproduced, contradicted or
 * inconclusive. A findings table (Arrow + Parquet) and a summary the findings page and
 * RESULTS.md are generated from.
 */
export const findingsStage: StageDef<typeof FindingsConfig> = {
  name: 'findings',
  algoVersion: '2',
  description: "The paper's claims as computed findings: effect size over seeds, 95 % CI, verdict per claim.",
  config: FindingsConfig,
  inputs: {
    aggregate: {
      kind: 'analysis',
      description: 'the aggregate over seeds of each experiment the claims name, as aggregate.<experiment>',
      many: true,
    },
  },
  outputs: {
    findings: { kind: 'analysis', description: 'tables/findings and tables/finding_points (.arrow + .parquet)' },
  },
  threads: 1,
  async run(ctx) {
    const data = new Map<string, ExperimentData>();
    for (const [role, a] of Object.entries(ctx.inputs)) {
      const name = role.slice('aggregate.'.length);
      data.set(name, readAggregate(name, a));
    }
    const missing = claimedExperiments(ctx.config.claims).filter((e) => !data.has(e));
    if (missing.length)
      throw new ArtifactError(
        `stage findings: the claims name experiments with no aggregate input: ${missing.map((m) => `aggregate.${m}`).join(', ')}`,
        'bad-input',
      );
    let findings: Finding[];
    try {
      findings = ctx.config.claims.map((c) => evaluateClaim(c, data, ctx.config.confidence));
    } catch (e) {
      if (e instanceof ClaimError) throw new ArtifactError(e.message, 'bad-input');
      throw e;
    }
    const count = (v: string) => findings.filter((f) => f.verdict === v).length;
    ctx.log(
      `${findings.length} claims: ${count('reproduced')} reproduced, ${count('contradicted')} contradicted, ${count('inconclusive')} inconclusive, ${count('pending')} pending`,
    );
    await ctx.write('findings', async (dir) => {
      const tables = [
        writeTable(dir, TABLES.findings!, findings.map(findingRow)),
        writeTable(
          dir,
          TABLES.finding_points!,
          findings.flatMap((f) =>
            f.points.map((p) => ({
              id: f.id,
              where: p.levels,
              u: p.u,
              n: p.stat.n,
              effect: p.stat.mean,
              ci_lo: p.stat.lo,
              ci_hi: p.stat.hi,
              verdict: p.verdict,
            })),
          ),
        ),
      ];
      return {
        summary: {
          confidence: ctx.config.confidence,
          counts: {
            reproduced: count('reproduced'),
            contradicted: count('contradicted'),
            inconclusive: count('inconclusive'),
            pending: count('pending'),
          },
          experiments: Object.fromEntries(
            Object.entries(ctx.inputs).map(([role, a]) => [role.slice('aggregate.'.length), basename(a.dir)]),
          ),
          findings: findings.map((f) => ({
            ...findingRow(f),
            points: f.points.map((p) => ({ where: p.levels, u: p.u, ...p.stat, verdict: p.verdict })),
          })),
          figures: [],
          tables,
        },
      };
    });
  },
} as StageDef<typeof FindingsConfig>;
