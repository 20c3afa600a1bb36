import type { z } from 'zod';
import { ArtifactError, Rng, type ImageLayout } from '@imp/artifacts';

/** One split held in memory: n images flattened chw (index = c*H*W + y*W + x), labels 0..K-1. */
export interface SplitData {
  x: Uint8Array | Float32Array;
  y: Int32Array;
}

/**
 * What a source loads and every transform passes on. Sources and transforms are pure
 * functions of (config, seed): the data stage's content-addressed artifact id depends only on
 * the config, so anything read from outside (files) is recorded in `provenance`.
 */
export interface LoadedDataset {
  train: SplitData;
  val: SplitData;
  layout: ImageLayout;
  class_names: string[];
  num_classes: number;
  /** Where the data came from (files and their sizes, official URLs, generator parameters). */
  provenance: Record<string, unknown>;
  /**
   * Nominal pixel range: 255 for uint8 images, 1 for float data already on a unit scale.
   * The paper's normalisation divides by it (spec §2.1: "(x - mean_image) / 255").
   */
  pixel_range: number;
  /**
   * Gather indices of a fixed pixel permutation applied to every image:
   * x_new[i] = x_old[permutation[i]]. Stored as tensor `permutation` in normalization.arrow.
   */
  permutation?: Int32Array;
  /** Extra per-image facts to store in aux.arrow (e.g. canvas offsets), float32 tensors. */
  aux?: { name: string; shape: number[]; data: Float32Array }[];
}

export interface RunContext {
  /** A seeded generator private to this source/transform (stream chosen by the stage). */
  rng: Rng;
  seed: number;
  log(message: string): void;
}

/** A registered source: its zod schema has `name: z.literal(<name>)` so sources form a discriminated union. */
export interface SourceDef<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  schema: S;
  load(config: z.output<S>, ctx: RunContext): Promise<LoadedDataset>;
  /**
   * External inputs whose bytes enter the artifact id, by option name: a path (file or folder,
   * hashed at plan time), or a fixed pin string for a built-in copy (e.g. a package version).
   * null = the option is unset.
   */
  contentInputs?(config: z.output<S>): Record<string, ContentInput>;
}

/** A path whose content is hashed, or a pin string for a built-in copy; null = none. */
export type ContentInput = { path: string } | { pin: string } | null;

export interface TransformResult {
  dataset: LoadedDataset;
  /** Facts recorded next to the transform's config in split meta `transforms` (counts, sizes...). */
  record?: Record<string, unknown>;
}

/** A registered transform (schema has `name: z.literal(<name>)`). */
export interface TransformDef<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  schema: S;
  apply(dataset: LoadedDataset, config: z.output<S>, ctx: RunContext): TransformResult | Promise<TransformResult>;
  /**
   * External inputs whose bytes enter the artifact id, by option name: a path (file or folder,
   * hashed at plan time), or a fixed pin string for a built-in copy (e.g. a package version).
   * null = the option is unset.
   */
  contentInputs?(config: z.output<S>): Record<string, ContentInput>;
}

/**
 * A data file that is missing, truncated or in the wrong format. It is an ArtifactError
 * (code 'bad-input') so stage CLIs print one `error: ...` line; `reason` tells tests which.
 */
export class DataFormatError extends ArtifactError {
  constructor(
    message: string,
    readonly reason: 'missing-file' | 'truncated' | 'bad-magic' | 'bad-format' | 'bad-value',
    file?: string,
  ) {
    super(message, 'bad-input', file);
    this.name = 'DataFormatError';
  }
}

export const imageDim = (l: ImageLayout) => l.channels * l.height * l.width;
