import type { z } from 'zod';
import { ArtifactError } from './errors.ts';
import { readDatasetSplit, type ImageLayout } from './dataset-file.ts';
import { readMetricsFile, type MetricRow } from './metrics-file.ts';
import { readTensorFile } from './tensors.ts';
import type { Artifact } from './store.ts';

/**
 * Checked readers of whole artifacts, for stages that read datasets and metrics (analysis,
 * report). Parameters and masks: params-files.ts (`loadParams`/`loadMaskFor` for the FCN,
 * `loadNamedParams`/`loadNamedMaskFor` for any model).
 */
export interface LoadedDataset {
  dir: string;
  layout: ImageLayout;
  /** Inputs per image, channels·height·width. */
  dim: number;
  numClasses: number;
  train: { x: Uint8Array | Float32Array; y: Int32Array };
  val: { x: Uint8Array | Float32Array; y: Int32Array };
  /** Network input = (x − offset)·scale (normalization.arrow). */
  offset: Float32Array;
  scale: Float32Array;
  /**
   * x_stored[i] = x_original[permutation[i]] when pixels were permuted (checked to be a
   * permutation of 0..dim−1), else null.
   */
  permutation: Int32Array | null;
}

export function loadDataset(a: Artifact): LoadedDataset {
  const train = readDatasetSplit(a.file('train.arrow'));
  const val = readDatasetSplit(a.file('val.arrow'));
  const layout = train.layout;
  const dim = layout.channels * layout.height * layout.width;
  const normFile = a.file('normalization.arrow');
  const norm = new Map(readTensorFile(normFile, 'float32').tensors.map((t) => [t.name, t.data as Float32Array]));
  const offset = norm.get('offset');
  const scale = norm.get('scale');
  if (!offset || !scale || offset.length !== dim || scale.length !== dim)
    throw new ArtifactError(`${normFile}: needs tensors 'offset' and 'scale' of ${dim} values`, 'bad-table', normFile);
  const p = norm.get('permutation');
  let permutation: Int32Array | null = null;
  if (p) {
    permutation = Int32Array.from(p);
    const seen = new Uint8Array(dim);
    for (const v of permutation) {
      if (!(v >= 0 && v < dim) || seen[v] || permutation.length !== dim)
        throw new ArtifactError(`${normFile}: 'permutation' is not a permutation of 0..${dim - 1}`, 'bad-table', normFile);
      seen[v] = 1;
    }
  }
  const s = a.manifest.summary as Record<string, unknown>;
  let numClasses = typeof s.num_classes === 'number' ? s.num_classes : 0;
  if (!numClasses) for (const v of train.y) numClasses = Math.max(numClasses, v + 1);
  return {
    dir: a.dir,
    layout,
    dim,
    numClasses,
    train: { x: train.x, y: train.y },
    val: { x: val.x, y: val.y },
    offset,
    scale,
    permutation,
  };
}

/** The long-format rows of a metrics artifact (metrics.arrow). */
export function loadMetrics(a: Artifact): MetricRow[] {
  return readMetricsFile(a.file('metrics.arrow'));
}

/**
 * An artifact's manifest summary checked against the schema a reader relies on; a mismatch is
 * one error naming the manifest and the field.
 */
export function readSummary<S extends z.ZodType>(a: Artifact, schema: S): z.output<S> {
  const r = schema.safeParse(a.manifest.summary);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new ArtifactError(
    `${a.dir}/manifest.json: summary field '${i.path.join('.')}' ${i.message}`,
    'bad-manifest',
    a.dir,
  );
}
