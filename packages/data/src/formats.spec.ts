import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx, parseIdx, parseIdxPair } from './formats/idx.ts';
import { encodeCifarBin, parseCifarBin } from './formats/cifar.ts';
import { encodeNpy, encodeNpz, parseNpy, parseNpz } from './formats/npy.ts';
import { encodeImagenetPickle } from './formats/pickle-fixture.ts';
import { unpickleNumpyDict } from './formats/pickle-numpy.ts';
import { cifar10Source } from './sources/cifar10.ts';
import { imagenet32Source } from './sources/imagenet.ts';
import { DataFormatError } from './types.ts';
import { Rng } from '@imp/artifacts';
import { tempStore } from '@imp/artifacts/testing';

const ctx = { rng: new Rng(0), seed: 0, log: () => {} };
const bytes = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Uint8Array.from({ length: n }, () => r.int(256));
};
const isErr = (reason: string, re?: RegExp) => (e: unknown) =>
  e instanceof DataFormatError && e.name === 'DataFormatError' && e.reason === reason && (!re || re.test(e.message));

test('IDX: round trip, wrong magic, truncated, trailing bytes, label range', () => {
  const x = bytes(3 * 4 * 5, 1);
  const f = encodeIdx([3, 4, 5], x);
  assert.deepEqual(parseIdx(f, 'f', 3).dims, [3, 4, 5]);
  assert.deepEqual([...parseIdx(f, 'f').data], [...x]);
  assert.equal(new DataView(f.buffer).getUint32(0), 2051);
  assert.equal(new DataView(encodeIdx([3], new Uint8Array(3)).buffer).getUint32(0), 2049);
  const bad = f.slice();
  bad[2] = 0x09;
  assert.throws(() => parseIdx(bad, 'bad'), isErr('bad-magic', /0x00000803/));
  assert.throws(() => parseIdx(f, 'f', 1), isErr('bad-magic'));
  assert.throws(() => parseIdx(f.subarray(0, f.length - 1), 'short'), isErr('truncated', /short: truncated/));
  assert.throws(() => parseIdx(f.subarray(0, 6), 'hdr'), isErr('truncated'));
  assert.throws(() => parseIdx(new Uint8Array([...f, 0]), 'long'), isErr('bad-format'));
  const labels = encodeIdx([3], Uint8Array.from([1, 2, 12]));
  assert.throws(
    () => parseIdxPair({ bytes: f, file: 'i' }, { bytes: labels, file: 'l' }, 10),
    isErr('bad-value', /label 12/),
  );
  const two = encodeIdx([2], Uint8Array.from([1, 2]));
  assert.throws(
    () => parseIdxPair({ bytes: f, file: 'i' }, { bytes: two, file: 'l' }, 10),
    isErr('bad-format', /2 labels for 3 images/),
  );
});

test('CIFAR-10 binary: official record layout, truncated file, bad label byte; source reads the batch folder', async () => {
  const x = bytes(4 * 3072, 2);
  const y = [3, 0, 9, 5];
  const f = encodeCifarBin(x, y);
  assert.equal(f.length, 4 * 3073);
  assert.equal(f[3073], 0); // label byte of record 1
  const p = parseCifarBin(f, 'b');
  assert.deepEqual([...p.y], y);
  assert.deepEqual(p.x, x);
  assert.throws(() => parseCifarBin(f.subarray(0, 3073 * 2 + 10), 'cut'), isErr('truncated', /1 label byte \+ 3072/));
  const bad = f.slice();
  bad[0] = 10;
  assert.throws(() => parseCifarBin(bad, 'bad'), isErr('bad-magic', /label byte 10/));

  const root = tempStore('cifar-');
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir);
  for (let b = 1; b <= 5; b++)
    writeFileSync(join(dir, `data_batch_${b}.bin`), encodeCifarBin(bytes(2 * 3072, 10 + b), [b, b + 1]));
  await assert.rejects(
    cifar10Source.load({ name: 'cifar10', dir: root }, ctx),
    isErr('missing-file', /test_batch\.bin.*cifar-10-binary\.tar\.gz/),
  );
  writeFileSync(join(dir, 'test_batch.bin'), encodeCifarBin(bytes(3 * 3072, 20), [7, 8, 9]));
  const ds = await cifar10Source.load({ name: 'cifar10', dir: root }, ctx);
  assert.deepEqual([...ds.train.y], [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
  assert.deepEqual([...ds.val.y], [7, 8, 9]);
  assert.deepEqual(ds.train.x.subarray(2 * 3072, 4 * 3072), bytes(2 * 3072, 12));
  assert.deepEqual(ds.layout, { channels: 3, height: 32, width: 32, order: 'chw' });
  await assert.rejects(
    cifar10Source.load({ name: 'cifar10', dir: join(root, 'nope') }, ctx),
    isErr('missing-file', /directory not found/),
  );
});

test('npy/npz: dtypes, wrong magic, truncated', () => {
  const a = parseNpy(encodeNpy('<i8', [3], [1, 1000, 5]), 'l');
  assert.deepEqual([...a.data], [1, 1000, 5]);
  assert.deepEqual(a.shape, [3]);
  const u = parseNpy(encodeNpy('|u1', [2, 3], [1, 2, 3, 4, 5, 6]), 'u');
  assert.ok(u.data instanceof Uint8Array);
  assert.deepEqual(u.shape, [2, 3]);
  assert.deepEqual([...parseNpy(encodeNpy('<f8', [2], [0.5, -2]), 'f').data], [0.5, -2]);
  const npy = encodeNpy('|u1', [2, 3], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseNpy(npy.subarray(0, npy.length - 2), 'cut'), isErr('truncated'));
  const bad = npy.slice();
  bad[1] = 0;
  assert.throws(() => parseNpy(bad, 'bad'), isErr('bad-magic', /NUMPY/));
  for (const compress of [false, true]) {
    const z = encodeNpz({ data: npy, labels: encodeNpy('<i8', [2], [4, 5]) }, compress);
    const r = parseNpz(z, 'z', ['data', 'labels']);
    assert.deepEqual([...r.labels!.data], [4, 5]);
    assert.throws(() => parseNpz(z, 'z', ['mean']), isErr('bad-format', /no array 'mean'/));
    assert.throws(
      () => parseNpz(z.subarray(0, z.length - 30), 'cutz', ['data']),
      (e) => e instanceof DataFormatError,
    );
  }
  assert.throws(() => parseNpz(npy, 'notzip', ['data']), isErr('bad-magic', /zip/));
});

test('NumPy pickles (Python 2 and 3 layouts) unpickle to the same arrays', async () => {
  const data = bytes(2 * 3072, 5);
  const mean = Float64Array.from({ length: 3072 }, (_, i) => i / 7);
  for (const flavour of ['py2', 'py3'] as const) {
    const d = await unpickleNumpyDict(encodeImagenetPickle(data, [2, 3072], [1, 1000], mean, flavour), 'p');
    const arr = d.data as { shape: number[]; values(): Uint8Array };
    assert.deepEqual(arr.shape, [2, 3072]);
    assert.deepEqual(arr.values(), data);
    assert.deepEqual(d.labels, [1, 1000]);
    assert.deepEqual((d.mean as { values(): Float64Array }).values(), mean);
  }
  const p = encodeImagenetPickle(data, [2, 3072], [1, 2], mean, 'py3');
  await assert.rejects(unpickleNumpyDict(p.subarray(0, 5000), 'cut'), isErr('truncated'));
  await assert.rejects(
    unpickleNumpyDict(Uint8Array.from([0x50, 0x4b, 3, 4]), 'zip'),
    isErr('bad-magic', /not a Python pickle/),
  );
});

test('ImageNet32 source: npz and pickled official batches give identical splits (labels - 1, first N, valSize)', async () => {
  const N = [3, 2, 4];
  const mk = (i: number) => ({
    x: bytes(N[i]! * 3072, 30 + i),
    y: Array.from({ length: N[i]! }, (_, j) => 1 + ((i * 7 + j * 331) % 1000)),
  });
  const batches = [mk(0), mk(1)];
  const val = mk(2);
  const mean = new Float64Array(3072).fill(100);
  const root = tempStore('inet-');
  const npzDir = join(root, 'Imagenet32_train_npz');
  const npzVal = join(root, 'Imagenet32_val_npz');
  const pkDir = join(root, 'pickled');
  for (const d of [npzDir, npzVal, pkDir]) mkdirSync(d);
  const npz = (b: { x: Uint8Array; y: number[] }) =>
    encodeNpz({
      data: encodeNpy('|u1', [b.y.length, 3072], b.x),
      labels: encodeNpy('<i8', [b.y.length], b.y),
      mean: encodeNpy('<f8', [3072], mean),
    });
  batches.forEach((b, i) => {
    writeFileSync(join(npzDir, `train_data_batch_${i + 1}.npz`), npz(b));
    writeFileSync(
      join(pkDir, `train_data_batch_${i + 1}`),
      encodeImagenetPickle(b.x, [b.y.length, 3072], b.y, mean, i ? 'py2' : 'py3'),
    );
  });
  writeFileSync(join(npzVal, 'val_data.npz'), npz(val));
  writeFileSync(join(pkDir, 'val_data'), encodeImagenetPickle(val.x, [4, 3072], val.y, mean, 'py3'));
  const cfg = {
    name: 'imagenet32',
    format: 'auto' as 'auto' | 'npz' | 'pickle',
    trainBatches: [1, 2],
    trainLimit: 4,
    valSize: 3,
  };
  const a = await imagenet32Source.load({ ...cfg, dir: root }, ctx);
  const b = await imagenet32Source.load({ ...cfg, dir: pkDir, format: 'pickle' }, ctx);
  for (const ds of [a, b]) {
    assert.deepEqual(
      [...ds.train.y],
      [...batches[0]!.y, batches[1]!.y[0]!].map((v) => v - 1),
    );
    assert.deepEqual(ds.train.x.subarray(0, 3 * 3072), batches[0]!.x);
    assert.deepEqual(ds.train.x.subarray(3 * 3072), batches[1]!.x.subarray(0, 3072));
    assert.deepEqual(
      [...ds.val.y],
      val.y.slice(0, 3).map((v) => v - 1),
    );
    assert.equal(ds.num_classes, 1000);
  }
  assert.deepEqual(a.train.x, b.train.x);
  await assert.rejects(
    imagenet32Source.load({ ...cfg, dir: join(root, 'empty-nope'), format: 'npz' }, ctx),
    isErr('missing-file', /Downsampled ImageNet/),
  );
  const wrong = join(root, 'wrong');
  mkdirSync(wrong);
  writeFileSync(
    join(wrong, 'train_data_batch_1.npz'),
    encodeNpz({ data: encodeNpy('|u1', [1, 12288], new Uint8Array(12288)), labels: encodeNpy('<i8', [1], [1]) }),
  );
  await assert.rejects(
    imagenet32Source.load({ ...cfg, dir: wrong, trainBatches: [1] }, ctx),
    isErr('bad-format', /expected \(N, 3072\)/),
  );
});
