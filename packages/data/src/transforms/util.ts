import type { LoadedDataset, SplitData } from '../types.ts';
import { imageDim } from '../types.ts';

export type SplitName = 'train' | 'val';

/** The rows `idx` (in that order) of a split, with any per-image aux tensors of that split kept aligned. */
export function gatherSplit(ds: LoadedDataset, split: SplitName, idx: ArrayLike<number>): LoadedDataset {
  const D = imageDim(ds.layout);
  const s = ds[split];
  const x = new (s.x.constructor as { new (n: number): Uint8Array | Float32Array })(idx.length * D);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    x.set(s.x.subarray(j * D, (j + 1) * D), i * D);
    y[i] = s.y[j]!;
  }
  const aux = ds.aux?.map((a) => {
    if (!a.name.endsWith(`_${split}`)) return a;
    const w = a.shape.slice(1).reduce((p, q) => p * q, 1);
    const data = new Float32Array(idx.length * w);
    for (let i = 0; i < idx.length; i++) data.set(a.data.subarray(idx[i]! * w, (idx[i]! + 1) * w), i * w);
    return { name: a.name, shape: [idx.length, ...a.shape.slice(1)], data };
  });
  return { ...ds, [split]: { x, y } as SplitData, aux };
}

export const asFloat32 = (x: Uint8Array | Float32Array): Float32Array =>
  x instanceof Float32Array ? x : Float32Array.from(x);

/** Number of images in a split. */
export const count = (ds: LoadedDataset, split: SplitName) => ds[split].y.length;
