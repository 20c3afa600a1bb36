import { z } from 'zod';
import { renamedKeys } from '@imp/artifacts';
import { RENAMED_KEYS } from './config-renames.ts';

const int = () => z.number().int();

/** Analysis config (spec §4 measures; defaults follow the authors' notebook where it has one). */
export const analysisConfigSchema = z
  .object(
    {
      detailLevels: z
        .array(int().nonnegative())
        .default([])
        .describe(
          'levels analysed in detail (S-map panels, resolved maps, mask grids, C^in histogram, ablation); empty = best level by val accuracy plus the first and last levels',
        ),
      r: int()
        .positive()
        .default(3)
        .describe(
          'locality ratio radius: fraction of same-channel pairs with 0 < |d|_inf <= r, divided by the null fraction',
        ),
      topN: int()
        .positive()
        .default(120)
        .describe('mask grids show the topN most connected first-layer nodes (notebook: 120; movie: 225)'),
      gridColumns: int().positive().default(15).describe('columns of the mask grids'),
      evolutionReference: z
        .enum(['best', 'last'])
        .default('last')
        .describe(
          "level whose topN most-connected nodes are followed across all levels in the evolution grids (the authors' movie uses the end of IMP)",
        ),
      evolutionLevels: z
        .array(int().nonnegative())
        .default([])
        .describe('levels shown in the evolution grids; empty = every level'),
      ablationLevels: z
        .array(int().nonnegative())
        .default([])
        .describe(
          'levels whose first-layer nodes are ablated (spec §4(g)); empty = the best level only, as in the notebook',
        ),
      ablationSizes: z
        .array(int().nonnegative())
        .default([0, 100, 200, 300, 400, 500])
        .describe(
          'numbers of first-layer nodes removed (spec §4(g)), given for a layer of ablationReferenceWidth nodes and scaled to the actual width',
        ),
      ablationReferenceWidth: int()
        .positive()
        .default(1024)
        .describe('layer width the ablationSizes refer to (the paper: 1024)'),
      ablationRandomRepeats: int().positive().default(3).describe("random node sets averaged for the 'rand' ablation"),
      ablationMaxVal: int().nonnegative().default(0).describe('evaluate ablations on the first N val images (0 = all)'),
      nullSamples: int()
        .nonnegative()
        .default(4)
        .describe(
          'samples of the strict null (per-node in-degree kept, inputs drawn in proportion to their total connection count); 0 = skip',
        ),
      excludeConstantPixels: z
        .boolean()
        .default(true)
        .describe(
          'drop zero-variance training pixels (after input BN they act as a bias, e.g. the MNIST border) from the locality maps and nulls',
        ),
      cinBinWidth: int().positive().default(2).describe('bin width of the C^in histogram (notebook: 2)'),
      resolvedBinWidth: int()
        .positive()
        .default(10)
        .describe('in-degree bin width of the connection-resolved S^sc maps (notebook: 10)'),
      resolvedPanels: int()
        .positive()
        .default(12)
        .describe('number of connection-resolved panels; the last collects all larger in-degrees'),
      maxLayers: int()
        .nonnegative()
        .default(0)
        .describe('hidden layers analysed through effective connectivity (0 = every pruned hidden layer)'),
      bnEps: z
        .number()
        .positive()
        .default(1e-10)
        .describe('batch-norm epsilon of the evaluation forward pass (spec §1.1: 1e-10)'),
      mapScale: int().positive().default(4).describe('pixels per displacement cell in S-map figures'),
      maskScale: int().positive().default(2).describe('pixels per input pixel in mask grids'),
      shapeNullSamples: int()
        .nonnegative()
        .default(4)
        .describe(
          'random masks per level with the same per-node in-degrees (inputs uniform over valid pixels, each node keeping its own weights) for the mask-shape and PC-alignment nulls; 0 = no null',
        ),
      shapeMinElongation: z
        .number()
        .min(1)
        .default(1.5)
        .describe('nodes at least this elongated count in the orientation statistics (rounder masks have no axis)'),
      pcComponents: int()
        .positive()
        .default(10)
        .describe("leading principal components of each class's pixel covariance that the masks are projected on"),
      pcSamplesPerClass: int()
        .nonnegative()
        .default(1000)
        .describe('training images per class (the first in file order) for the class covariances; 0 = no PC alignment'),
      pcMaxClasses: int()
        .positive()
        .default(20)
        .describe('no PC alignment for datasets with more classes (e.g. 1000-class ImageNet)'),
      pixelSpace: z
        .enum(['original', 'stored'])
        .default('original')
        .describe(
          "pixel positions of the spatial measures when the data's pixels were permuted: 'original' = each input put back at its place in the photo (the permutation undone), 'stored' = the permuted order the net sees (the locality control)",
        ),
      seed: int().nonnegative().default(0).describe('seed of the strict null samples and the random ablation'),
    },
    { error: renamedKeys(RENAMED_KEYS) },
  )
  .strict();

export type AnalysisConfig = z.output<typeof analysisConfigSchema>;
