/**
 * Shared test helpers (`@imp/artifacts/testing`): temporary stores and small fake artifacts of
 * every kind a stage reads. Only specs import this module; it is not exported from the package
 * index, so no production code can depend on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from './random.ts';
import { writeArtifact, type Artifact } from './store.ts';
import { writeTensorFile, type NamedTensor } from './tensors.ts';
import { writeDatasetSplit, type ImageLayout } from './dataset-file.ts';
import { parseArch } from './fcn-arch.ts';

const made: string[] = [];
let hooked = false;

/** A fresh temporary store directory, removed when the test process exits. */
export function tempStore(prefix = 'imp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** A no-op logger for `runStage({ log })`. */
export const quiet = (): void => {};

export interface FakeParamsOptions {
  arch: string;
  inputDim: number;
  numClasses: number;
  seed?: number;
  /** Add BN γ/β and running mean/var per layer, as the trainer writes them. */
  bn?: boolean;
}

/**
 * Gaussian W{l} [fan_in, fan_out] and b{l} (and bn{l}.* when asked) for an FCN arch string, in
 * the order the trainer writes them. One Rng stream (seed, 7) draws them in that order.
 */
export function fakeParams(o: FakeParamsOptions): NamedTensor<Float32Array>[] {
  const rng = new Rng(o.seed ?? 1, 7);
  const rnd = (n: number) => new Float32Array(n).map(() => rng.normal());
  const out: NamedTensor<Float32Array>[] = [];
  for (const L of parseArch(o.arch, o.inputDim, o.numClasses)) {
    out.push({ name: `W${L.l}`, shape: [L.fanIn, L.fanOut], data: rnd(L.fanIn * L.fanOut) });
    out.push({ name: `b${L.l}`, shape: [L.fanOut], data: rnd(L.fanOut) });
    if (o.bn) for (const s of ['gamma', 'beta', 'mean', 'var']) out.push({ name: `bn${L.l}.${s}`, shape: [L.fanIn], data: rnd(L.fanIn) });
  }
  return out;
}

export interface WriteFakeParamsOptions extends FakeParamsOptions {
  step?: number;
  role?: string;
  /** Write these tensors instead of the FCN ones (e.g. a conv model). */
  tensors?: NamedTensor<Float32Array>[];
  /** Extra or overriding params.arrow metadata. */
  metadata?: Record<string, string>;
}

/** A parameters artifact (params.arrow) as the trainer writes it; arch metadata included. */
export async function writeFakeParams(store: string, o: WriteFakeParamsOptions): Promise<Artifact> {
  const step = o.step ?? 100;
  const tensors = o.tensors ?? fakeParams(o);
  const { artifact } = await writeArtifact(
    {
      kind: 'parameters',
      role: o.role ?? 'final',
      stage: 'test',
      algoVersion: 't',
      config: {
        ...{ arch: o.arch, seed: o.seed ?? 1, inputDim: o.inputDim, numClasses: o.numClasses, step, bn: !!o.bn },
        shapes: tensors.map((t) => [t.name, t.shape]),
        metadata: o.metadata ?? {},
      },
      upstream: {},
    },
    async (dir) =>
      writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', {
        arch: o.arch,
        input_dim: String(o.inputDim),
        num_classes: String(o.numClasses),
        step: String(step),
        ...o.metadata,
      }),
    store,
  );
  return artifact;
}

export interface FakeMaskOptions {
  arch: string;
  inputDim: number;
  numClasses: number;
  /** 1-based layers to include (weight and bias). */
  layers: number[];
  /** Keep entry i of a tensor (weights: row-major index; biases: index into the bias). */
  keep: (i: number, name: string) => boolean;
  /** Deliberately wrong weight shapes, for error tests. */
  shapeFix?: (s: number[]) => number[];
}

/** W{l}/b{l} 0/1 tensors of an FCN mask. */
export function fakeMask(o: FakeMaskOptions): NamedTensor<Uint8Array>[] {
  const layers = parseArch(o.arch, o.inputDim, o.numClasses);
  const out: NamedTensor<Uint8Array>[] = [];
  for (const l of o.layers) {
    const L = layers.find((x) => x.l === l);
    if (!L) throw new Error(`fakeMask: arch ${o.arch} has no layer ${l}`);
    const ws = o.shapeFix ? o.shapeFix([L.fanIn, L.fanOut]) : [L.fanIn, L.fanOut];
    const bias = ws[1]!;
    out.push({ name: `W${l}`, shape: ws, data: new Uint8Array(ws[0]! * ws[1]!).map((_, i) => (o.keep(i, `W${l}`) ? 1 : 0)) });
    out.push({ name: `b${l}`, shape: [bias], data: new Uint8Array(bias).map((_, i) => (o.keep(i, `b${l}`) ? 1 : 0)) });
  }
  return out;
}

export interface WriteFakeMaskOptions extends Partial<FakeMaskOptions> {
  /** The FCN arch (metadata `arch`); leave unset for a mask of a non-FCN model. */
  arch?: string;
  level?: number;
  /** Write these tensors instead of the FCN ones. */
  tensors?: NamedTensor<Uint8Array>[];
  metadata?: Record<string, string>;
  /** Distinguishes otherwise identical fake masks (their ids). */
  tag?: string;
}

/** A mask artifact (mask.arrow). */
export async function writeFakeMask(store: string, o: WriteFakeMaskOptions): Promise<Artifact> {
  const tensors = o.tensors ?? fakeMask(o as FakeMaskOptions);
  const { artifact } = await writeArtifact(
    {
      kind: 'mask',
      role: 'mask',
      stage: 'test',
      algoVersion: 't',
      config: { arch: o.arch ?? null, tag: o.tag ?? '', shapes: tensors.map((t) => [t.name, t.shape]), keep: tensors.map((t) => Array.from(t.data).join('')) },
      upstream: {},
    },
    async (dir) =>
      writeTensorFile(join(dir, 'mask.arrow'), tensors, 'uint8', {
        ...(o.arch !== undefined ? { arch: o.arch } : {}),
        level: String(o.level ?? 1),
        ...o.metadata,
      }),
    store,
  );
  return artifact;
}

export interface FakeDatasetOptions {
  n?: number;
  nVal?: number;
  side?: number;
  classes?: number;
  seed?: number;
}

/**
 * A synthetic image dataset: C classes, 1×S×S uint8 images = a class prototype + noise, with a
 * constant-zero border (like MNIST's zero-variance border pixels).
 */
export function fakeDataset(opts: FakeDatasetOptions = {}) {
  const { n = 600, nVal = 200, side = 6, classes = 3, seed = 1 } = opts;
  const D = side * side;
  const rng = new Rng(seed, 99);
  const protos = Array.from({ length: classes }, () => Float32Array.from({ length: D }, () => rng.next() * 160));
  const make = (count: number) => {
    const x = new Uint8Array(count * D);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const c = rng.int(classes);
      y[i] = c;
      for (let d = 0; d < D; d++) {
        const border = Math.floor(d / side) === 0 || d % side === 0;
        x[i * D + d] = border ? 0 : Math.max(0, Math.min(255, Math.round(protos[c]![d]! + 40 * rng.normal())));
      }
    }
    return { x, y };
  };
  const layout: ImageLayout = { channels: 1, height: side, width: side, order: 'chw' };
  return { layout, classes, train: make(n), val: make(nVal), D };
}

/** A dataset artifact (train/val/normalization.arrow) holding fakeDataset(opts). */
export async function writeFakeDataset(store: string, opts: FakeDatasetOptions = {}): Promise<Artifact> {
  const d = fakeDataset(opts);
  const { artifact } = await writeArtifact(
    { kind: 'dataset', role: 'dataset', stage: 'test-data', algoVersion: 't', config: { ...opts }, upstream: {} },
    async (dir) => {
      writeDatasetSplit(join(dir, 'train.arrow'), { split: 'train', layout: d.layout, x: d.train.x, y: d.train.y, meta: {} });
      writeDatasetSplit(join(dir, 'val.arrow'), { split: 'val', layout: d.layout, x: d.val.x, y: d.val.y, meta: {} });
      writeTensorFile(
        join(dir, 'normalization.arrow'),
        [
          { name: 'offset', shape: [d.D], data: new Float32Array(d.D).fill(127.3) },
          { name: 'scale', shape: [d.D], data: new Float32Array(d.D).fill(1 / 255.7) },
        ],
        'float32',
      );
      const summary = { num_classes: d.classes, n_train: d.train.y.length, n_val: d.val.y.length, layout: d.layout };
      return { summary };
    },
    store,
  );
  return artifact;
}

/**
 * A small non-FCN model as named tensors with its declared graph (model-graph.ts): a 3×3 conv
 * (`conv1.kernel` [3,3,1,8], `conv1.bias` [8], prunable), then a dense head (`head.W` [8,4],
 * `head.b` [4], not prunable), plus a BN pair and running stats that are no layer's weight.
 */
export function fakeConvParams(seed = 1): { tensors: NamedTensor<Float32Array>[]; metadata: Record<string, string> } {
  const rng = new Rng(seed, 7);
  const rnd = (n: number) => new Float32Array(n).map(() => rng.normal());
  const t = (name: string, shape: number[]) => ({ name, shape, data: rnd(shape.reduce((a, b) => a * b, 1)) });
  const graph = [
    { name: 'conv1', op: 'conv2d', weight: 'conv1.kernel', bias: 'conv1.bias', input: 'pixels', prunable: true },
    { name: 'head', op: 'dense', weight: 'head.W', bias: 'head.b', input: 'conv1', prunable: false },
  ];
  return {
    tensors: [
      t('conv1.kernel', [3, 3, 1, 8]),
      t('conv1.bias', [8]),
      t('bn.gamma', [8]),
      t('bn.beta', [8]),
      t('bn.mean', [8]),
      t('bn.var', [8]),
      t('head.W', [8, 4]),
      t('head.b', [4]),
    ],
    metadata: { graph: JSON.stringify(graph) },
  };
}

/** A parameters artifact of fakeConvParams (no `arch`: the graph is the model description). */
export async function writeFakeConvParams(store: string, o: { seed?: number; step?: number } = {}): Promise<Artifact> {
  const { tensors, metadata } = fakeConvParams(o.seed);
  const step = o.step ?? 100;
  const { artifact } = await writeArtifact(
    { kind: 'parameters', role: 'final', stage: 'test', algoVersion: 't', config: { conv: o }, upstream: {} },
    async (dir) => writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', { ...metadata, step: String(step) }),
    store,
  );
  return artifact;
}
