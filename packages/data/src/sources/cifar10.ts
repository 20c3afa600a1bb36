import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineSource } from '../define.ts';
import { parseCifarBin } from '../formats/cifar.ts';
import { DataFormatError } from '../types.ts';
import { locateDir } from './locate.ts';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
const EXPECTED =
  'the CIFAR-10 binary version: data_batch_1.bin .. data_batch_5.bin and test_batch.bin (records of 1 label byte + 3072 chw pixel bytes), ' +
  'i.e. the folder cifar-10-batches-bin unpacked from cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html)';

function concat(parts: { x: Uint8Array; y: Int32Array }[]) {
  const x = new Uint8Array(parts.reduce((a, p) => a + p.x.length, 0));
  const y = new Int32Array(parts.reduce((a, p) => a + p.y.length, 0));
  let ox = 0,
    oy = 0;
  for (const p of parts) {
    x.set(p.x, ox);
    y.set(p.y, oy);
    ox += p.x.length;
    oy += p.y.length;
  }
  return { x, y };
}

export const cifar10Source = defineSource({
  name: 'cifar10',
  description:
    'CIFAR-10 (Krizhevsky 2009), 50000 train / 10000 test 32x32x3, official binary batches; val = test_batch',
  options: {
    dir: z.string().nullable().default(null).describe('the cifar-10-batches-bin folder (or its parent)'),
  },
  contentInputs: (cfg) => ({ dir: cfg.dir ? { path: cfg.dir } : null }),
  async load(cfg) {
    const dir = locateDir(cfg.dir, ['data_batch_1.bin'], ['cifar-10-batches-bin'], EXPECTED);
    const read = (f: string) => {
      const p = join(dir, f);
      if (!existsSync(p)) throw new DataFormatError(`${p}: file not found; expected ${EXPECTED}`, 'missing-file', p);
      return parseCifarBin(readFileSync(p), p);
    };
    const trainFiles = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
    const train = concat(trainFiles.map(read));
    const val = read('test_batch.bin');
    const metaPath = join(dir, 'batches.meta.txt');
    const names = existsSync(metaPath)
      ? readFileSync(metaPath, 'utf8')
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean)
      : CIFAR10_CLASSES;
    return {
      train,
      val,
      layout: { channels: 3, height: 32, width: 32, order: 'chw' },
      class_names: names.length === 10 ? names : CIFAR10_CLASSES,
      num_classes: 10,
      provenance: {
        dataset: 'CIFAR-10',
        format: 'binary',
        dir,
        train_files: trainFiles,
        val_files: ['test_batch.bin'],
      },
      pixel_range: 255,
    };
  },
});
