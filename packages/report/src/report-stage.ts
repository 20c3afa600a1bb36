import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { StageDef } from '@imp/artifacts';
import { bestLevelOf, levelColumns, parseAnalysisSummary } from './analysis-summary.ts';
import { parseAggregateSummary } from './aggregate-summary.ts';
import { placeFiguresWithBands } from './band-figures.ts';
import { copyFigures } from './figures.ts';
import { copyVegaAssets, PageSpecs } from './interactive.ts';
import { collectLineage } from './lineage.ts';
import { renderReport } from './render-report.ts';

export const ReportConfig = z
  .object({
    title: z.string().min(1).default('IMP locality report').describe('page title'),
    experiment: z
      .string()
      .min(1)
      .default('experiment')
      .describe('experiment name (as in the pipeline), shown on the page and used as its label on comparison pages'),
    experimentConfig: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("the experiment's JSON config, shown verbatim on the page"),
    notes: z.string().default('').describe('free text shown under the title (what this run is, caveats)'),
  })
  .strict();

/**
 * The `report` stage: one static, self-contained HTML page per analysis artifact
 * (figures, their Vega-Lite specs and the vega bundles copied in, relative links only,
 * no network), rendering what the analysis manifest declares: the per-level scalars,
 * the curves against u (spec §5.1–5.2), every figure, every table with its columns,
 * then the experiment config and the lineage.
 */
export const reportStage: StageDef<typeof ReportConfig> = {
  name: 'report',
  // 3: pages render the analysis' declared tables/figures, charts interactive (vega-embed).
  algoVersion: '3',
  description:
    'Static HTML report of one analysis artifact: key numbers, curves vs u, every figure, config and lineage.',
  config: ReportConfig,
  inputs: {
    analysis: { kind: 'analysis', description: 'analysis artifact (per-level scalars, figures, tables)' },
    aggregate: {
      kind: 'analysis',
      optional: true,
      description:
        'statistics over seeds (stage aggregate): numbers become means with intervals, curves become bands; figures stay those of `analysis`',
    },
  },
  outputs: { report: { kind: 'report', description: 'index.html with figures/ copied in' } },
  async run(ctx) {
    const a = ctx.inputs.analysis!;
    const s = parseAnalysisSummary(a);
    const aggArt = ctx.inputs.aggregate;
    const agg = aggArt ? { art: aggArt, summary: parseAggregateSummary(aggArt) } : undefined;
    // Several seeds: the numbers shown (and handed to comparison pages) are the means over seeds.
    const levels = agg ? [...agg.summary.levels].sort((x, y) => x.level - y.level) : s.levels;
    const bestLevel = agg ? (agg.summary.best_level ?? null) : bestLevelOf(s);
    ctx.log(
      `rendering ${s.levels.length} levels, ${s.figures.length} figures from ${basename(a.dir)}${agg ? `, bands over ${agg.summary.seeds.length} seeds from ${basename(aggArt!.dir)}` : ''}`,
    );
    await ctx.write('report', async (tmp) => {
      const figures = agg
        ? await placeFiguresWithBands(a, s.figures, agg, tmp)
        : copyFigures(a, s.figures, tmp, 'figures');
      const specs = new PageSpecs();
      const specIds = new Map(
        figures.filter((f) => f.spec !== null).map((f) => [f.file, specs.addFile(tmp, f.spec!)] as const),
      );
      const scripts = specs.size ? copyVegaAssets(tmp) : [];
      const html = renderReport({
        title: ctx.config.title,
        experiment: ctx.config.experiment,
        notes: ctx.config.notes,
        experimentConfig: ctx.config.experimentConfig,
        analysisConfig: a.manifest.config,
        analysisDir: basename(a.dir),
        analysisId: a.manifest.id,
        analysisCodeVersion: a.manifest.codeVersion,
        levels,
        levelColumns: levelColumns(s),
        ...(agg ? { seeds: { summary: agg.summary, dir: basename(aggArt!.dir) } } : {}),
        bestLevel,
        figures,
        specIds,
        specs,
        scripts,
        tables: s.tables,
        lineage: collectLineage(a.manifest, a.dir, ctx.store),
      });
      writeFileSync(join(tmp, 'index.html'), html);
      // The summary carries what the compare stage needs, so it can work from reports alone.
      return {
        summary: {
          title: ctx.config.title,
          experiment: ctx.config.experiment,
          analysis: basename(a.dir),
          page: 'index.html',
          best_level: bestLevel,
          levels,
          ...(agg
            ? {
                seeds: agg.summary.seeds,
                confidence: agg.summary.confidence,
                level_ci: agg.summary.level_ci,
                experiment_stats: agg.summary.experiment,
                aggregate: basename(aggArt!.dir),
              }
            : {}),
          figures,
          tables: s.tables.map((t) => ({ ...t, file: `../${basename(a.dir)}/${t.file}` })),
        },
      };
    });
  },
};
