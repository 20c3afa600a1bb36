import { z } from 'zod';
import { renamedKeys } from '@imp/artifacts';
import type { ContentInput, LoadedDataset, RunContext, SourceDef, TransformDef, TransformResult } from './types.ts';

/**
 * Helpers for plugging a source or transform into the registries: give a name, a
 * description and the option fields (each with .describe() and a default where sensible);
 * the helper adds `name: z.literal(name)` and makes the object strict, so a typo in an
 * option is a ConfigError naming the field.
 *
 * Option keys are camelCase; until data algoVersion 2 they were snake_case, so the old
 * spelling of every camelCase option is recognised and named in the error
 * (`field 'source': 'train_limit' was renamed to 'trainLimit'`).
 */
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The snake_case spelling of every camelCase key → the key (`trainLimit` ← `train_limit`). */
export function snakeCaseRenames(keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => snake(k) !== k).map((k) => [snake(k), k]));
}

function optionsObject(name: string, kind: string, options: z.ZodRawShape) {
  const shape = { name: z.literal(name).describe(`${kind} name: '${name}'`), ...options };
  return z.object(shape, { error: renamedKeys(snakeCaseRenames(Object.keys(options))) }).strict();
}

export function defineSource<Shape extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  options: Shape;
  load(config: z.output<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>>, ctx: RunContext): Promise<LoadedDataset>;
  contentInputs?(config: z.output<z.ZodObject<Shape>>): Record<string, ContentInput>;
}): SourceDef<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>> {
  const schema = optionsObject(def.name, 'source', def.options).describe(def.description);
  return {
    name: def.name,
    description: def.description,
    schema: schema as never,
    load: def.load as never,
    contentInputs: def.contentInputs as never,
  };
}

export function defineTransform<Shape extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  options: Shape;
  /** Extra cross-field checks; report issues with ctx.addIssue({ code: 'custom', path: [field], message }). */
  refine?: (config: z.output<z.ZodObject<Shape>>, ctx: z.RefinementCtx) => void;
  apply(
    dataset: LoadedDataset,
    config: z.output<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>>,
    ctx: RunContext,
  ): TransformResult | Promise<TransformResult>;
  contentInputs?(config: z.output<z.ZodObject<Shape>>): Record<string, ContentInput>;
}): TransformDef<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>> {
  let schema: z.ZodType = optionsObject(def.name, 'transform', def.options).describe(def.description);
  if (def.refine) schema = (schema as z.ZodObject).superRefine(def.refine as never);
  return {
    name: def.name,
    description: def.description,
    schema: schema as never,
    apply: def.apply as never,
    contentInputs: def.contentInputs as never,
  };
}
