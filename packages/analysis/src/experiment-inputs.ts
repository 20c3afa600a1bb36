/**
 * The analysis-specific part of reading one IMP experiment: grouping the per-level
 * inputs, the dense-first-layer requirement, the pixel permutation and constant pixels
 * of the dataset, and the accuracy numbers of a metrics artifact. Files themselves are
 * read by the checked readers of @imp/artifacts. Parameters are loaded one level at a
 * time by the caller: a 3072-1024³ network is ~25 MB per level, so holding all 21
 * levels at once is avoided.
 */
import {
  ArtifactError,
  loadDataset as loadCheckedDataset,
  loadMaskFor,
  loadParams,
  readMetricsFile,
  type Artifact,
  type ImageLayout,
  type LoadedParams,
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

/**
 * Parameters of one level through the checked reader of @imp/artifacts. The analysis
 * works on a dense first layer over pixels, W1 [D, h1] (spec §4: every measure is a
 * function of the first-layer mask columns over the D = C·H·W inputs); anything else
 * (a conv kernel first, no W1, another input size) is one error saying so.
 */
export function loadLevel(li: LevelInputs, g: ImageLayout): { params: NetParams; mask: Map<string, Uint8Array> } {
  const a = li.params;
  const role = `params.L${li.level}`;
  const D = g.channels * g.height * g.width;
  const needs = `the analysis needs a dense first layer W1 of shape [D, h1] over the D = ${D} input pixels (${g.channels}×${g.height}×${g.width})`;
  let p: LoadedParams;
  try {
    p = loadParams(a);
  } catch (e) {
    throw new ArtifactError(`analysis: ${role}: ${needs}; got: ${(e as Error).message}`, 'bad-input', a.dir);
  }
  const w1 = p.tensors.get('W1');
  if (!w1 || w1.shape.length !== 2 || w1.shape[0] !== D)
    throw new ArtifactError(
      `analysis: ${role}: ${needs}; got ${w1 ? `W1 of shape [${w1.shape}]` : `no W1 (tensors ${[...p.tensors.keys()].join(', ')})`} in ${p.file}`,
      'bad-input',
      a.dir,
    );
  // Mask tensors by name, checked against these parameters; a layer without one is dense.
  const mask = li.mask ? loadMaskFor(li.mask, p).tensors : new Map<string, NamedTensor<Uint8Array>>();
  return {
    params: {
      arch: p.arch,
      dims: [p.inputDim, ...p.layers.map((L) => L.fanOut)],
      tensors: new Map([...p.tensors].map(([k, t]) => [k, t.data])),
    },
    mask: new Map([...mask].map(([k, t]) => [k, t.data])),
  };
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
  /**
   * Where the spatial measures place stored input i: its original pixel index (identity if pixels
   * were not permuted, or with pixelSpace 'stored', which reads the permuted order the net sees).
   */
  origOf: Int32Array;
  /** origOf is not the identity (the analysis moves inputs back to the original pixel space). */
  permuted: boolean;
  /** The dataset's pixels were permuted (whatever the analysis does with it). */
  storedPermuted: boolean;
  /** Zero-variance inputs over the training split, in STORED order. */
  constantStored: Uint8Array;
  offset: Float32Array;
  scale: Float32Array;
  val: { x: Uint8Array | Float32Array; y: Int32Array };
  numClasses: number;
  /**
   * The first `samplesPerClass` training images of each class in file order (stored pixel
   * order, raw pixel values), for per-class pixel statistics; empty when not asked for.
   */
  classSample: { x: Float32Array; y: Int32Array };
}

export interface DatasetOptions {
  /** 'stored' keeps a permuted dataset's inputs where the net sees them. */
  pixelSpace?: 'original' | 'stored';
  /** Training images per class kept in `classSample` (0 = none). */
  samplesPerClass?: number;
  /** More classes than this: no class sample (a 1000-class ImageNet would hold 12 GB). */
  maxClasses?: number;
}

/** The first `perClass` images of each class, in file order. */
function classSample(x: ArrayLike<number>, y: Int32Array, dim: number, numClasses: number, perClass: number) {
  const taken = new Int32Array(numClasses);
  const rows: number[] = [];
  for (let s = 0; s < y.length && perClass > 0; s++) {
    const c = y[s]!;
    if (c >= 0 && c < numClasses && taken[c]! < perClass) {
      taken[c]!++;
      rows.push(s);
    }
  }
  const out = new Float32Array(rows.length * dim);
  rows.forEach((s, r) => {
    for (let i = 0; i < dim; i++) out[r * dim + i] = x[s * dim + i]!;
  });
  return { x: out, y: Int32Array.from(rows, (s) => y[s]!) };
}

/** The checked dataset reader of @imp/artifacts, plus what the analysis derives from it. */
export function loadDataset(a: Artifact, opts: DatasetOptions = {}): DatasetInfo {
  const { pixelSpace = 'original', samplesPerClass = 0, maxClasses = Infinity } = opts;
  const { layout, dim, train, val, offset, scale, permutation, numClasses } = loadCheckedDataset(a);
  // Data stage convention: x_stored[i] = x_original[permutation[i]] (packages/data/src/stage.ts).
  const mapped = pixelSpace === 'original' ? permutation : null;
  const origOf = mapped ?? Int32Array.from({ length: dim }, (_, i) => i);
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
    // Once every pixel has varied the answer is known (no pixel is constant): stop scanning
    // the remaining images (~47 M values for 60000 images of 784 pixels).
    if ((s & 63) === 63) {
      let varying = 0;
      for (let i = 0; i < dim; i++) if (lo[i]! < hi[i]!) varying++;
      if (varying === dim) break;
    }
  }
  const constantStored = new Uint8Array(dim);
  for (let i = 0; i < dim; i++) constantStored[i] = n === 0 || lo[i] === hi[i] ? 1 : 0;
  return {
    layout,
    dim,
    origOf,
    permuted: mapped !== null,
    storedPermuted: permutation !== null,
    constantStored,
    offset,
    scale,
    val: { x: val.x, y: val.y },
    numClasses,
    classSample: classSample(train.x, train.y, dim, numClasses, numClasses <= maxClasses ? samplesPerClass : 0),
  };
}
