/**
 * Registry of data sources. To add one: write `src/<yours>/...` exporting a SourceDef made
 * with `defineSource` (src/define.ts; its `load(config, ctx)` returns a LoadedDataset from
 * src/types.ts: train/val splits as chw-flattened uint8 or float32 pixels, layout,
 * class_names, num_classes, provenance, pixel_range), then add it to SOURCES below.
 * The data stage's `source` config is the zod discriminated union (on `name`) of these schemas.
 */
import { z } from 'zod';
import type { SourceDef } from '../types.ts';
import { mnistSource } from './mnist.ts';
import { fashionMnistSource } from './fashion-mnist.ts';
import { cifar10Source } from './cifar10.ts';
import { imagenet32Source, imagenet64Source } from './imagenet.ts';
import { nlgpSource } from './nlgp.ts';
import { photosSource } from '../photos/source.ts';

export const SOURCES: SourceDef[] = [
  mnistSource as unknown as SourceDef,
  fashionMnistSource as unknown as SourceDef,
  cifar10Source as unknown as SourceDef,
  imagenet32Source as unknown as SourceDef,
  imagenet64Source as unknown as SourceDef,
  nlgpSource as unknown as SourceDef,
  photosSource as unknown as SourceDef,
  // other sources are appended here (one line each)
];

export function getSource(name: string): SourceDef {
  const s = SOURCES.find((d) => d.name === name);
  if (!s) throw new Error(`unknown data source '${name}' (known: ${SOURCES.map((d) => d.name).join(', ')})`);
  return s;
}

/** The `source` field of the data stage config. */
export function sourceConfigSchema() {
  const schemas = SOURCES.map((s) => s.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  return z
    .discriminatedUnion('name', schemas)
    .describe(`the dataset to load; source.name selects one of: ${SOURCES.map((s) => s.name).join(', ')}`);
}
