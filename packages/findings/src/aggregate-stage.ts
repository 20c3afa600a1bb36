import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ArtifactError, type StageDef } from '@imp/artifacts';
import { aggregate, EXPERIMENT_METRICS } from './aggregate.ts';
import { readSeedAnalysis } from './seed-inputs.ts';
import { writeTable, type ColumnDecl, type TableDecl } from './tables.ts';

export const AggregateConfig = z
  .object({
    confidence: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.95)
      .describe('two-sided confidence level of the Student t intervals (n − 1 degrees of freedom)'),
  })
  .strict();

const STAT_COLUMNS: ColumnDecl[] = [
  { name: 'n', type: 'int', description: 'seeds with a finite value' },
  { name: 'mean', type: 'float', description: 'mean over seeds' },
  { name: 'sd', type: 'float', description: 'sample standard deviation (n − 1); NaN below 2 seeds' },
  { name: 'se', type: 'float', description: 'standard error sd/√n' },
  {
    name: 'ci_lo',
    type: 'float',
    description: 'lower end of the t confidence interval of the mean (NaN below 2 seeds)',
  },
  { name: 'ci_hi', type: 'float', description: 'upper end of the t confidence interval of the mean' },
];

const TABLES: Record<string, TableDecl> = {
  level_stats: {
    name: 'level_stats',
    title: 'per level and metric: mean, sd and confidence interval over seeds',
    columns: [
      { name: 'level', type: 'int', description: 'IMP level (0 = dense)' },
      { name: 'metric', type: 'str', description: "a numeric column of the analysis' levels table" },
      ...STAT_COLUMNS,
      { name: 'u', type: 'float', format: 'percent', description: 'mean u (kept fraction) of the level' },
    ],
  },
  per_seed: {
    name: 'per_seed',
    title: 'the per-seed values the statistics are made of (for paired comparisons)',
    columns: [
      { name: 'seed', type: 'int', description: 'training seed of the chain' },
      { name: 'level', type: 'int', description: 'IMP level' },
      { name: 'metric', type: 'str', description: 'levels column' },
      { name: 'value', type: 'float', description: 'its value (NaN: not available)' },
    ],
  },
  experiment_stats: {
    name: 'experiment_stats',
    title: 'per experiment: peak accuracy, u at the peak, gain over dense, over seeds',
    columns: [
      { name: 'metric', type: 'str', description: EXPERIMENT_METRICS.map((m) => m.name).join(', ') },
      ...STAT_COLUMNS,
    ],
  },
  experiment_seeds: {
    name: 'experiment_seeds',
    title: 'the per-seed experiment scalars',
    columns: [
      { name: 'seed', type: 'int', description: 'training seed' },
      { name: 'metric', type: 'str', description: 'experiment scalar' },
      { name: 'value', type: 'float', description: 'its value' },
    ],
  },
  curves: {
    name: 'curves',
    title: "every point of the analysis' metric-vs-u curves over seeds (the bands on the pages)",
    columns: [
      { name: 'figure', type: 'str', description: 'curve id (accuracy_vs_u, locality_vs_u, …)' },
      { name: 'experiment', type: 'str', description: 'group label inside the chart' },
      { name: 'series', type: 'str', description: 'series of the chart' },
      { name: 'level', type: 'int', description: 'IMP level' },
      { name: 'u', type: 'float', format: 'percent', description: 'mean u' },
      ...STAT_COLUMNS,
    ],
  },
};

/**
 * The `aggregate` stage: the analyses of one experiment's seeds in (`analysis.s<seed>`),
 * one analysis-kind artifact out with the mean, sd, n and Student t interval of every
 * per-level scalar the analysis declares, of the experiment scalars (peak accuracy, u at
 * the peak, gain over dense), and of every point of its curves; plus the per-seed values,
 * so claims can be read paired by seed (the findings stage).
 */
export const aggregateStage: StageDef<typeof AggregateConfig> = {
  name: 'aggregate',
  // 2: experiment scalars last_val_top1 and fall_after_peak.
  algoVersion: '2',
  description:
    'Statistics over the seeds of one experiment: mean, sd, n and t confidence interval per level and metric, per experiment, per curve point.',
  config: AggregateConfig,
  inputs: {
    analysis: { kind: 'analysis', description: 'the analysis of each seed, as analysis.s<seed>', many: true },
  },
  outputs: {
    aggregate: {
      kind: 'analysis',
      description:
        'tables/{level_stats,per_seed,experiment_stats,experiment_seeds,curves}.arrow + .parquet, curves/<id>.json (band data)',
    },
  },
  threads: 1,
  async run(ctx) {
    const seeds = Object.entries(ctx.inputs).map(([role, a]) => readSeedAnalysis(role, a));
    const dup = seeds.map((s) => s.seed).find((s, i, all) => all.indexOf(s) !== i);
    if (dup !== undefined) throw new ArtifactError(`stage aggregate: seed ${dup} given twice`, 'bad-input');
    const agg = aggregate(seeds, ctx.config.confidence);
    ctx.log(
      `${agg.seeds.length} seeds (${agg.seeds.join(', ')}), ${agg.meanLevels.length} levels, ${agg.metrics.length} metrics`,
    );
    await ctx.write('aggregate', async (dir) => {
      const tables = [
        writeTable(dir, TABLES.level_stats!, agg.levelStats),
        writeTable(dir, TABLES.per_seed!, agg.perSeed),
        writeTable(dir, TABLES.experiment_stats!, agg.experimentStats),
        writeTable(dir, TABLES.experiment_seeds!, agg.experimentSeeds),
        writeTable(dir, TABLES.curves!, agg.curveRows),
      ];
      mkdirSync(join(dir, 'curves'), { recursive: true });
      const curves = agg.curves.map((c) => {
        const file = `curves/${c.id}.json`;
        writeFileSync(join(dir, file), JSON.stringify({ points: c.points, rules: c.rules }) + '\n');
        return { id: c.id, title: c.title, caption: c.caption, data: file };
      });
      const byName = new Map(seeds.map((s) => [s.seed, basename(s.dir)]));
      return {
        summary: {
          seeds: agg.seeds,
          n_seeds: agg.seeds.length,
          confidence: agg.confidence,
          sources: agg.seeds.map((s) => ({ seed: s, analysis: byName.get(s) })),
          metrics: agg.metrics.map((m) => m.name),
          levels: agg.meanLevels,
          level_ci: agg.levelCi,
          best_level: agg.bestLevel,
          experiment: Object.fromEntries(
            agg.experimentStats.map((r) => [
              r.metric,
              { n: r.n, mean: r.mean, sd: r.sd, ci_lo: r.ci_lo, ci_hi: r.ci_hi },
            ]),
          ),
          experiment_metrics: EXPERIMENT_METRICS,
          level_metrics: agg.metrics,
          curves,
          figures: [],
          tables,
        },
      };
    });
  },
} as StageDef<typeof AggregateConfig>;
