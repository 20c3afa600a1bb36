import type { StageDef } from '@imp/artifacts';
import { analysisConfigSchema } from './config.ts';

/**
 * The analysis stage: every level of one IMP experiment in, one `analysis` artifact
 * out (figures/, tables/, manifest summary with per-level scalars and a figure list).
 * Heavy modules load inside run() so the Nx plugin can import this file cheaply.
 */
export const analysisStage: StageDef<typeof analysisConfigSchema> = {
  name: 'analysis',
  // 2: figures are Vega-Lite specs (+ SVG rendered from them), camelCase config keys; tables unchanged.
  // 3: config pixelSpace (default 'original', as before); summary pixel_space.
  // 4: measures mask-shape and pc-alignment (new levels columns, tables, figures; config shape*/pc* keys).
  // 5: measure sdc-peak (levels columns sdc_peak_ratio, sdc_peak_ratio_uniform).
  algoVersion: '5',
  description:
    'Locality of the IMP-pruned connectivity (spec §4): exact S^sc/S^dc maps with uniform and strict nulls, locality ratio, radial profile, C^in, IPR, per-pixel map, mask grids and their evolution, node ablation, accuracy vs u.',
  config: analysisConfigSchema,
  inputs: {
    dataset: {
      kind: 'dataset',
      description: 'dataset the experiment was trained on (layout, val split, normalisation, pixel permutation)',
    },
    params: { kind: 'parameters', description: 'final parameters of level k, as params.L<k> (k = 0..n)', many: true },
    mask: {
      kind: 'mask',
      description: 'mask of level k >= 1, as mask.L<k> (level 0 is dense)',
      many: true,
      optional: true,
    },
    metrics: {
      kind: 'metrics',
      description: 'training metrics of level k, as metrics.L<k>',
      many: true,
      optional: true,
    },
  },
  outputs: {
    analysis: {
      kind: 'analysis',
      description:
        'figures/*.vl.json (Vega-Lite) + .svg, mask grids *.png, tables/*.arrow + .parquet; summary declares per-level scalars, every table (columns, descriptions) and every figure',
    },
  },
  seedField: 'seed',
  async run(ctx) {
    const { analyzeExperiment } = await import('./analyze.ts');
    await ctx.write(
      'analysis',
      async (dir) => {
        const t0 = performance.now();
        const r = await analyzeExperiment(ctx.inputs, ctx.config, dir, ctx.log);
        return { summary: r.summary, timings: { ...r.timings, analysis_s: (performance.now() - t0) / 1000 } };
      },
      {
        backend: {
          backend: 'plain-typescript',
          note: 'FFT locality maps and sparse forward pass in TypeScript; tfjs not used',
        },
      },
    );
  },
};
