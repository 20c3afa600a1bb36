import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Rng,
  openArtifact,
  writeArtifact,
  writeDatasetSplit,
  writeTensorFile,
  type Artifact,
  type NamedTensor,
} from '@imp/artifacts';

export const tempStore = () => mkdtempSync(join(tmpdir(), 'imp-train-'));
export const quiet = () => {};

/**
 * A synthetic image dataset artifact: C classes, 1×S×S uint8 images = class prototype blob +
 * noise, with a constant-zero border (like MNIST's zero-variance border pixels, to exercise BN ε).
 */
export async function syntheticDataset(
  store: string,
  opts: { n?: number; nVal?: number; side?: number; classes?: number; seed?: number } = {},
): Promise<Artifact> {
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
        const r = Math.floor(d / side),
          col = d % side;
        const border = r === 0 || col === 0;
        x[i * D + d] = border ? 0 : Math.max(0, Math.min(255, Math.round(protos[c]![d]! + 40 * rng.normal())));
      }
    }
    return { x, y };
  };
  const tr = make(n);
  const va = make(nVal);
  // A constant offset, so the constant border maps to a non-zero constant input (−0.5·…): BN must
  // handle a zero-variance feature whose batch mean is not trivially 0.
  const offset = new Float32Array(D).fill(127.3);
  const layout = { channels: 1, height: side, width: side, order: 'chw' as const };
  const { artifact } = await writeArtifact(
    { kind: 'dataset', role: 'dataset', stage: 'test-data', algoVersion: 't', config: opts, upstream: {} },
    async (dir) => {
      writeDatasetSplit(join(dir, 'train.arrow'), { split: 'train', layout, x: tr.x, y: tr.y, meta: {} });
      writeDatasetSplit(join(dir, 'val.arrow'), { split: 'val', layout, x: va.x, y: va.y, meta: {} });
      writeTensorFile(
        join(dir, 'normalization.arrow'),
        [
          { name: 'offset', shape: [D], data: offset },
          { name: 'scale', shape: [D], data: new Float32Array(D).fill(1 / 255.7) },
        ],
        'float32',
      );
      return { summary: { num_classes: classes, n_train: n, n_val: nVal, layout } };
    },
    store,
  );
  return artifact;
}

/** A mask artifact keeping entries where keep(layer, i) (weights, then biases at i ≥ fanIn·fanOut). */
export async function syntheticMask(
  store: string,
  arch: string,
  dims: number[],
  layers: number[],
  keep: (l: number, i: number) => boolean,
  tag = '',
): Promise<Artifact> {
  const tensors: NamedTensor[] = [];
  for (const l of layers) {
    const [i, o] = [dims[l - 1]!, dims[l]!];
    tensors.push({ name: `W${l}`, shape: [i, o], data: new Uint8Array(i * o).map((_, k) => (keep(l, k) ? 1 : 0)) });
    tensors.push({ name: `b${l}`, shape: [o], data: new Uint8Array(o).map((_, k) => (keep(l, i * o + k) ? 1 : 0)) });
  }
  const { artifact } = await writeArtifact(
    { kind: 'mask', role: 'mask', stage: 'test-mask', algoVersion: 't', config: { arch, layers, tag }, upstream: {} },
    async (dir) => writeTensorFile(join(dir, 'mask.arrow'), tensors, 'uint8', { arch, level: '1' }),
    store,
  );
  return artifact;
}

export async function paramsBytes(dir: string): Promise<Buffer> {
  const a = await openArtifact(dir, { kind: 'parameters' });
  return readFileSync(a.file('params.arrow'));
}
