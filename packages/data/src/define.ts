import { z } from 'zod';
import type { LoadedDataset, RunContext, SourceDef, TransformDef, TransformResult } from './types.ts';

/**
 * Helpers for plugging a source or transform into the registries: give a name, a
 * description and the option fields (each with .describe() and a default where sensible);
 * the helper adds `name: z.literal(name)` and makes the object strict, so a typo in an
 * option is a ConfigError naming the field.
 */
export function defineSource<Shape extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  options: Shape;
  load(config: z.output<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>>, ctx: RunContext): Promise<LoadedDataset>;
}): SourceDef<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>> {
  const schema = z
    .object({ name: z.literal(def.name).describe(`source name: '${def.name}'`), ...def.options })
    .strict()
    .describe(def.description);
  return { name: def.name, description: def.description, schema: schema as never, load: def.load as never };
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
}): TransformDef<z.ZodObject<Shape & { name: z.ZodLiteral<string> }>> {
  let schema: z.ZodType = z
    .object({ name: z.literal(def.name).describe(`transform name: '${def.name}'`), ...def.options })
    .strict()
    .describe(def.description);
  if (def.refine) schema = (schema as z.ZodObject).superRefine(def.refine as never);
  return { name: def.name, description: def.description, schema: schema as never, apply: def.apply as never };
}
