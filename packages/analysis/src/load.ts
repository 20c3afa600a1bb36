/**
 * Reads the artifacts of one IMP experiment (every level) through @imp/artifacts.
 * Parameters are loaded one level at a time by the caller: a 3072-1024³ network is
 * ~25 MB per level, so holding all 21 levels at once is avoided.
 */
import {
  ArtifactError,
  readDatasetSplit,
  readMetricsFile,
  readTensorFile,
  type Artifact,
  type ImageLayout,
  type MetricRow,
  type NamedTensor,
} from '@imp/artifacts';

export interface LevelInputs {
  level: number;
  params: Artifact;
  mask: Artifact | null;
  metrics: Artifact | null;
}

/** Groups `params.L<k>`, `mask.L<k>`, `metrics.L<k>` by level k. */
export function levelInputs(inputs: Record<string, Artifact>): LevelInputs[] {
  const byLevel = new Map<number, Partial<LevelInputs>>();
  for (const [key, a] of Object.entries(inputs)) {
    const m = /^(params|mask|metrics)\.L([0-9]+)$/.exec(key);
    if (!m) {
      if (key === 'dataset') continue;
      throw new ArtifactError(`analysis: input '${key}' is not named <role>.L<level> (e.g. params.L3)`, 'bad-input');
    }
    const k = Number(m[2]);
    const e = byLevel.get(k) ?? { level: k };
    (e as Record<string, unknown>)[m[1]!] = a;
    byLevel.set(k, e);
  }
  const out = [...byLevel.values()].sort((a, b) => a.level! - b.level!);
  for (const e of out) {
    if (!e.params) throw new ArtifactError(`analysis: level ${e.level} has no params.L${e.level} input`, 'bad-input');
    if (e.level! > 0 && !e.mask)
      throw new ArtifactError(
        `analysis: level ${e.level} has no mask.L${e.level} input (only level 0 is dense)`,
        'bad-input',
      );
  }
  if (!out.length) throw new ArtifactError('analysis: no params.L<k> inputs', 'bad-input');
  return out.map((e) => ({ level: e.level!, params: e.params!, mask: e.mask ?? null, metrics: e.metrics ?? null }));
}

export interface NetParams {
  arch: string;
  /** Linear layers 1..L+1: dims[l-1] → dims[l]. */
  dims: number[];
  tensors: Map<string, Float32Array>;
}

export function loadParams(a: Artifact): NetParams {
  const file = a.file('params.arrow');
  const { tensors, metadata } = readTensorFile(file, 'float32');
  const map = new Map(tensors.map((t) => [t.name, t.data as Float32Array]));
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  const dims: number[] = [];
  for (let l = 1; shapes.has(`W${l}`); l++) {
    const s = shapes.get(`W${l}`)!;
    if (l === 1) dims.push(s[0]!);
    else if (s[0] !== dims[dims.length - 1])
      throw new ArtifactError(
        `${file}: W${l} has fan_in ${s[0]}, previous layer has ${dims[dims.length - 1]} nodes`,
        'bad-table',
        file,
      );
    dims.push(s[1]!);
  }
  if (dims.length < 2) throw new ArtifactError(`${file}: no W1 tensor`, 'bad-table', file);
  return { arch: metadata.arch ?? '', dims, tensors: map };
}

/** Mask tensors by name; a layer without a mask tensor is dense (never pruned). */
export function loadMask(a: Artifact | null): Map<string, Uint8Array> {
  if (!a) return new Map();
  const { tensors } = readTensorFile(a.file('mask.arrow'), 'uint8');
  return new Map(tensors.map((t: NamedTensor) => [t.name, t.data as Uint8Array]));
}

export interface LevelMetrics {
  best_val_top1: number;
  final_val_top1: number;
  final_train_top1: number;
  rows: MetricRow[];
}

export function loadMetrics(a: Artifact | null): LevelMetrics | null {
  if (!a) return null;
  const rows = readMetricsFile(a.file('metrics.arrow'));
  const s = a.manifest.summary as Record<string, unknown>;
  const val = rows.filter((r) => r.split === 'val' && r.metric === 'top1').sort((x, y) => x.step - y.step);
  const train = rows.filter((r) => r.split === 'train' && r.metric === 'top1').sort((x, y) => x.step - y.step);
  const best =
    typeof s.best_val_top1 === 'number' ? s.best_val_top1 : val.length ? Math.max(...val.map((r) => r.value)) : NaN;
  const fin = typeof s.final_val_top1 === 'number' ? s.final_val_top1 : val.length ? val[val.length - 1]!.value : NaN;
  return {
    best_val_top1: best,
    final_val_top1: fin,
    final_train_top1: train.length ? train[train.length - 1]!.value : NaN,
    rows,
  };
}

export interface DatasetInfo {
  layout: ImageLayout;
  dim: number;
  /** Original pixel index of each stored input (identity if pixels were not permuted). */
  origOf: Int32Array;
  permuted: boolean;
  /** Zero-variance inputs over the training split, in STORED order. */
  constantStored: Uint8Array;
  offset: Float32Array;
  scale: Float32Array;
  val: { x: Uint8Array | Float32Array; y: Int32Array };
  numClasses: number;
}

export function loadDataset(a: Artifact): DatasetInfo {
  const train = readDatasetSplit(a.file('train.arrow'));
  const val = readDatasetSplit(a.file('val.arrow'));
  const layout = train.layout;
  const dim = layout.channels * layout.height * layout.width;
  const normFile = a.file('normalization.arrow');
  const norm = new Map(readTensorFile(normFile, 'float32').tensors.map((t) => [t.name, t.data as Float32Array]));
  const offset = norm.get('offset');
  const scale = norm.get('scale');
  if (!offset || !scale)
    throw new ArtifactError(`${normFile}: needs tensors 'offset' and 'scale'`, 'bad-table', normFile);
  // Data stage convention: x_stored[i] = x_original[permutation[i]] (packages/data/src/stage.ts).
  const perm = norm.get('permutation');
  const origOf = new Int32Array(dim);
  for (let i = 0; i < dim; i++) origOf[i] = perm ? perm[i]! : i;
  if (perm) {
    const seen = new Uint8Array(dim);
    for (const p of origOf) {
      if (p < 0 || p >= dim || seen[p])
        throw new ArtifactError(
          `${normFile}: 'permutation' is not a permutation of 0..${dim - 1}`,
          'bad-table',
          normFile,
        );
      seen[p] = 1;
    }
  }
  // Constant pixels (zero variance over the training set): after input BN such an input is a constant, i.e. a bias.
  const n = train.y.length;
  const lo = new Float64Array(dim).fill(Infinity);
  const hi = new Float64Array(dim).fill(-Infinity);
  const x = train.x;
  for (let s = 0; s < n; s++) {
    const o = s * dim;
    for (let i = 0; i < dim; i++) {
      const v = x[o + i]!;
      if (v < lo[i]!) lo[i] = v;
      if (v > hi[i]!) hi[i] = v;
    }
  }
  const constantStored = new Uint8Array(dim);
  for (let i = 0; i < dim; i++) constantStored[i] = n === 0 || lo[i] === hi[i] ? 1 : 0;
  const s = a.manifest.summary as Record<string, unknown>;
  const numClasses = typeof s.num_classes === 'number' ? s.num_classes : Math.max(...train.y) + 1;
  return {
    layout,
    dim,
    origOf,
    permuted: !!perm,
    constantStored,
    offset,
    scale,
    val: { x: val.x, y: val.y },
    numClasses,
  };
}
