import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineSource } from '../define.ts';
import { parseNpz, type NpyArray } from '../formats/npy.ts';
import { PyNdArray, unpickleNumpyDict } from '../formats/pickle-numpy.ts';
import { DataFormatError, type LoadedDataset } from '../types.ts';

/**
 * Downsampled ImageNet (Chrabaszcz, Loshchilov & Hutter 2017; image-net.org/download-images,
 * "Downsampled ImageNet 32x32 / 64x64"), spec §2.1: batches train_data_batch_1..10 and val_data,
 * each a dict {data: uint8 N x (3*S*S) channel-major, labels: 1..1000, mean}, either as .npz
 * (Imagenet32_train_npz) or pickled (Imagenet32_train). Labels become label-1 (0..999) in
 * ImageNet32's own class order; train = batches in order 1..10 (the paper's "first N");
 * val = the first valSize images of val_data (the paper: 10000).
 */
function expected(size: number, fmt: string) {
  return (
    `ImageNet${size} batches train_data_batch_1..10${fmt} and val_data${fmt} (dicts with keys data: uint8 N x ${3 * size * size}, labels: 1..1000, mean), ` +
    `as in the official Imagenet${size}_train${fmt === '.npz' ? '_npz' : ''} / Imagenet${size}_val${fmt === '.npz' ? '_npz' : ''} downloads (https://image-net.org/download-images, "Downsampled ImageNet")`
  );
}

interface Batch {
  data: Uint8Array;
  labels: Float64Array | Uint8Array;
  n: number;
}

async function readBatch(path: string, format: 'npz' | 'pickle', dim: number, size: number): Promise<Batch> {
  const buf = readFileSync(path);
  let data: Uint8Array, labels: Float64Array | Uint8Array, shape: number[];
  if (format === 'npz') {
    const a = parseNpz(buf, path, ['data', 'labels']) as Record<'data' | 'labels', NpyArray>;
    if (!(a.data.data instanceof Uint8Array))
      throw new DataFormatError(`${path}: 'data' has dtype ${a.data.descr}, expected uint8`, 'bad-format', path);
    data = a.data.data;
    labels = a.labels.data;
    shape = a.data.shape;
  } else {
    const d = await unpickleNumpyDict(buf, path);
    if (!(d.data instanceof PyNdArray))
      throw new DataFormatError(
        `${path}: pickled dict has no NumPy array 'data' (keys: ${Object.keys(d).join(', ')}); expected ${expected(size, '')}`,
        'bad-format',
        path,
      );
    const v = d.data.values();
    if (!(v instanceof Uint8Array))
      throw new DataFormatError(`${path}: 'data' has dtype ${d.data.dtype.descr}, expected uint8`, 'bad-format', path);
    data = v;
    shape = d.data.shape;
    const l = d.labels;
    labels =
      l instanceof PyNdArray
        ? l.values()
        : Array.isArray(l)
          ? Float64Array.from(l as number[])
          : (() => {
              throw new DataFormatError(`${path}: pickled dict has no 'labels' list`, 'bad-format', path);
            })();
  }
  if (shape.length !== 2 || shape[1] !== dim)
    throw new DataFormatError(
      `${path}: 'data' has shape (${shape.join(', ')}), expected (N, ${dim}) for ImageNet${size}`,
      'bad-format',
      path,
    );
  const n = shape[0]!;
  if (labels.length !== n)
    throw new DataFormatError(`${path}: ${labels.length} labels for ${n} images`, 'bad-format', path);
  return { data, labels, n };
}

function makeImagenetSource(size: 32 | 64) {
  const dim = 3 * size * size;
  return defineSource({
    name: `imagenet${size}`,
    description: `Downsampled ImageNet ${size}x${size} (1000 classes, 1281167 train / 50000 val), official npz or pickled batches; val = first valSize of val_data`,
    options: {
      dir: z
        .string()
        .nullable()
        .default(null)
        .describe(
          `folder with the batches (or with Imagenet${size}_train[_npz] and Imagenet${size}_val[_npz] sub-folders)`,
        ),
      format: z
        .enum(['auto', 'npz', 'pickle'])
        .default('auto')
        .describe(
          "'npz' = train_data_batch_k.npz, 'pickle' = train_data_batch_k (pickled dict); 'auto' = npz if present",
        ),
      trainBatches: z
        .array(z.number().int().min(1).max(10))
        .default([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        .describe('training batches to read, in this order'),
      trainLimit: z
        .number()
        .int()
        .positive()
        .nullable()
        .default(null)
        .describe(
          "keep only the first N training images in file order (reads only the batches needed; the paper's data_ratio on a budget)",
        ),
      valSize: z
        .number()
        .int()
        .positive()
        .nullable()
        .default(10000)
        .describe('first N images of val_data (the paper: 10000); null = all 50000'),
    },
    contentInputs: (cfg) => ({ dir: cfg.dir ? { path: cfg.dir } : null }),
    async load(cfg, { log }) {
      const dirs = cfg.dir
        ? [
            cfg.dir,
            ...['train', 'val', '_train', '_val', '_train_npz', '_val_npz'].map((s) =>
              join(cfg.dir!, s.startsWith('_') ? `Imagenet${size}${s}` : s),
            ),
          ]
        : [];
      if (!cfg.dir)
        throw new DataFormatError(
          `imagenet${size}: no data directory given (option 'dir'); expected ${expected(size, '.npz')} or ${expected(size, '')}`,
          'missing-file',
        );
      const find = (base: string) => {
        for (const fmt of cfg.format === 'auto' ? (['npz', 'pickle'] as const) : [cfg.format]) {
          for (const d of dirs) {
            const p = join(d, fmt === 'npz' ? `${base}.npz` : base);
            if (existsSync(p)) return { path: p, format: fmt };
          }
        }
        const fmt = cfg.format === 'pickle' ? '' : '.npz';
        throw new DataFormatError(
          `${cfg.dir}: ${base}${fmt} not found (looked in ${dirs.join(', ')}); expected ${expected(size, fmt)}`,
          'missing-file',
          cfg.dir!,
        );
      };
      const readSplit = async (bases: string[], limit: number | null) => {
        const parts: Batch[] = [];
        let total = 0;
        const files: string[] = [];
        for (const b of bases) {
          if (limit !== null && total >= limit) break;
          const f = find(b);
          log(`reading ${f.path}`);
          const batch = await readBatch(f.path, f.format, dim, size);
          parts.push(batch);
          files.push(f.path);
          total += batch.n;
        }
        const n = limit === null ? total : Math.min(limit, total);
        if (limit !== null && total < limit)
          throw new DataFormatError(
            `imagenet${size}: asked for ${limit} images, the batches hold ${total}`,
            'bad-value',
          );
        const x = new Uint8Array(n * dim);
        const y = new Int32Array(n);
        let o = 0;
        for (const [k, p] of parts.entries()) {
          const take = Math.min(p.n, n - o);
          x.set(p.data.subarray(0, take * dim), o * dim);
          for (let i = 0; i < take; i++) {
            const l = p.labels[i]!;
            if (!(l >= 1 && l <= 1000 && Number.isInteger(l)))
              throw new DataFormatError(
                `${files[k]}: label ${l} at index ${i} is not in 1..1000`,
                'bad-value',
                files[k],
              );
            y[o + i] = l - 1;
          }
          o += take;
        }
        return { split: { x, y }, files };
      };
      const train = await readSplit(
        cfg.trainBatches.map((b) => `train_data_batch_${b}`),
        cfg.trainLimit,
      );
      const val = await readSplit(['val_data'], cfg.valSize);
      const ds: LoadedDataset = {
        train: train.split,
        val: val.split,
        layout: { channels: 3, height: size, width: size, order: 'chw' },
        class_names: Array.from({ length: 1000 }, (_, i) => `imagenet${size}_class_${i + 1}`),
        num_classes: 1000,
        provenance: { dataset: `ImageNet${size}`, train_files: train.files, val_files: val.files, label_offset: -1 },
        pixel_range: 255,
      };
      return ds;
    },
  });
}

export const imagenet32Source = makeImagenetSource(32);
export const imagenet64Source = makeImagenetSource(64);
