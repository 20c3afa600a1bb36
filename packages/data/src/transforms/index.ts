/**
 * Registry of dataset transforms, applied in config order after the source loads. To add one:
 * export a TransformDef made with `defineTransform` (src/define.ts; `apply(dataset, config, ctx)`
 * returns { dataset, record? } and must be deterministic given ctx.rng), then add it to TRANSFORMS.
 * Each applied transform's config (plus its `record`) is listed in the split meta `transforms`.
 */
import { z } from 'zod';
import type { TransformDef } from '../types.ts';
import { subsetTransform } from './subset.ts';
import { relabelTransform } from './relabel.ts';
import { pixelNoiseTransform, labelNoiseTransform, canvasTransform } from './noise.ts';
import { permutePixelsTransform } from './permute.ts';
import { gaussianCloneTransform } from '../clone/transform.ts';

export const TRANSFORMS: TransformDef[] = [
  subsetTransform,
  relabelTransform,
  pixelNoiseTransform,
  labelNoiseTransform,
  canvasTransform,
  permutePixelsTransform,
  gaussianCloneTransform,
  // transforms are appended here (one line each)
];

export function getTransform(name: string): TransformDef {
  const t = TRANSFORMS.find((d) => d.name === name);
  if (!t) throw new Error(`unknown transform '${name}' (known: ${TRANSFORMS.map((d) => d.name).join(', ')})`);
  return t;
}

/** The `transforms` field of the data stage config: a list of the registered transforms. */
export function transformsConfigSchema() {
  const schemas = TRANSFORMS.map((t) => t.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  const item = schemas.length ? z.discriminatedUnion('name', schemas) : z.never();
  return z
    .array(item)
    .default([])
    .describe(`transforms applied in order; transform.name is one of: ${TRANSFORMS.map((t) => t.name).join(', ')}`);
}
