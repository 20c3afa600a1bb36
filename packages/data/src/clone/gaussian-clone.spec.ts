import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Rng } from '@imp/artifacts';
import { gaussianClone, DEFAULT_CLONE_OPTIONS, type CloneInput } from './gaussian-clone.ts';
import { covOf, diffExcessKurtosis, meanExcessKurtosis, rowsOf, samplingErrorRatio } from './stats-helpers.ts';
import { buildPhotoDataset, photoSourceConfig } from '../photos/photo-source.ts';
import { buildDataset, dataConfigSchema } from '../stage.ts';

const sha = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

/** A uint8 dataset with a constant border (like MNIST) and correlated interior pixels. */
function toyUint8(n: number, seed: number): CloneInput {
  const rng = new Rng(seed, 3);
  const side = 6;
  const D = side * side;
  const mk = (m: number) => {
    const x = new Uint8Array(m * D);
    const y = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      y[i] = i % 3;
      const base = 60 + 50 * y[i]! + 20 * rng.normal();
      for (let r = 1; r < side - 1; r++)
        for (let c = 1; c < side - 1; c++)
          x[i * D + r * side + c] = Math.max(0, Math.min(255, Math.round(base + 15 * rng.normal())));
    }
    return { x, y };
  };
  return {
    train: mk(n),
    val: mk(Math.floor(n / 4)),
    layout: { channels: 1, height: side, width: side, order: 'chw' },
    num_classes: 3,
  };
}

test('labels, order and counts kept; constant pixels stay exact; same seed ⇒ identical bytes', async () => {
  const ds = toyUint8(900, 1);
  const a = await gaussianClone(ds, new Rng(7, 100));
  assert.deepEqual(Array.from(a.train.y), Array.from(ds.train.y));
  assert.deepEqual(Array.from(a.val.y), Array.from(ds.val.y));
  assert.ok(a.train.x instanceof Float32Array && a.train.x.length === ds.train.x.length);
  for (let i = 0; i < a.val.y.length; i++) assert.equal(a.val.x[i * 36 + 0], 0, 'border pixel (always 0) is exactly 0');
  assert.equal(a.classes[0]!.active_pixels, 16);
  const b = await gaussianClone(ds, new Rng(7, 100));
  assert.equal(sha(a.train.x), sha(b.train.x));
  assert.equal(sha(a.val.x), sha(b.val.x));
  const c = await gaussianClone(ds, new Rng(8, 100));
  assert.notEqual(sha(a.train.x), sha(c.train.x));
  // A clone of a uint8 dataset keeps its scale: class means near 60/110/160.
  const m = rowsOf(a.train.x, a.train.y, 2, 36)
    .filter((_, i) => i % 36 === 7)
    .reduce((s, v, _i, arr) => s + v / arr.length, 0);
  assert.ok(Math.abs(m - 160) < 3, `class 2 mean ${m}`);
});

test('photos: clone covariance = photo covariance within sampling error; kurtosis ≈ 0 vs clearly > 0', async (t) => {
  let ds;
  try {
    ds = buildPhotoDataset(
      photoSourceConfig.parse({
        photos: ['brick', 'camera', 'coins'],
        patch: 8,
        trainPerClass: 4000,
        valPerClass: 1000,
      }),
      3,
    );
  } catch (e) {
    t.skip(`package photographs unavailable: ${(e as Error).message}`);
    return;
  }
  const D = 64;
  const clone = await gaussianClone(
    { ...ds, layout: ds.train.layout, num_classes: 3 },
    new Rng(3, 100),
    DEFAULT_CLONE_OPTIONS,
  );
  const covs = [0, 1, 2].map((c) => covOf(rowsOf(ds.train.x, ds.train.y, c, D), D));
  let kSum = 0;
  for (let c = 0; c < 3; c++) {
    const src = rowsOf(ds.train.x, ds.train.y, c, D);
    const cl = rowsOf(clone.train.x, clone.train.y, c, D);
    const clVal = rowsOf(clone.val.x, clone.val.y, c, D);
    const Csrc = covs[c]!;
    const rTrain = samplingErrorRatio(covOf(cl, D), Csrc, D, 4000);
    const rVal = samplingErrorRatio(covOf(clVal, D), Csrc, D, 1000);
    // ≈ 1 means "equal up to sampling error"; the fluctuation comes from the few dominant eigen-directions.
    assert.ok(rTrain > 0.5 && rTrain < 2, `class ${c}: train clone covariance error ratio ${rTrain}`);
    assert.ok(rVal > 0.5 && rVal < 2, `class ${c}: val clone covariance error ratio ${rVal}`);
    // Power check: the other classes' covariances are far outside sampling error.
    const rOther = Math.max(...[1, 2].map((k) => samplingErrorRatio(covOf(cl, D), covs[(c + k) % 3]!, D, 4000)));
    assert.ok(rOther > 4, `class ${c}: vs another class ratio ${rOther}`);
    const kSrc = meanExcessKurtosis(src, D);
    const kCl = meanExcessKurtosis(cl, D);
    const dSrc = diffExcessKurtosis(src, 8);
    const dCl = diffExcessKurtosis(cl, 8);
    kSum += kSrc;
    t.diagnostic(
      `class ${ds.classNames[c]}: error ratios ${rTrain.toFixed(2)}/${rVal.toFixed(2)} (other class ${rOther.toFixed(1)}); ` +
        `excess kurtosis pixels photos ${kSrc.toFixed(2)} clone ${kCl.toFixed(3)}, neighbour differences photos ${dSrc.toFixed(2)} clone ${dCl.toFixed(3)}`,
    );
    assert.ok(Math.abs(kCl) < 0.1, `clone pixel kurtosis ${kCl}`);
    assert.ok(Math.abs(dCl) < 0.1, `clone difference kurtosis ${dCl}`);
    assert.ok(dSrc > 1, `photo difference kurtosis ${dSrc}`);
  }
  assert.ok(kSum / 3 > 0.3, `photo pixel kurtosis ${kSum / 3}`);
});

test('MNIST through the data stage: the gaussian-clone transform keeps counts and constant border pixels', async () => {
  const cfg = dataConfigSchema.parse({
    source: { name: 'mnist' },
    transforms: [
      { name: 'subset', n: 3000, mode: 'random' },
      { name: 'subset', split: 'val', n: 1000 },
      { name: 'gaussian-clone' },
    ],
    seed: 4,
  });
  const { dataset: ds, applied } = await buildDataset(cfg);
  assert.equal(ds.train.y.length, 3000);
  assert.equal(ds.val.y.length, 1000);
  assert.ok(ds.train.x instanceof Float32Array);
  for (let i = 0; i < 1000; i++)
    assert.equal(ds.val.x[i * 784], 0, 'corner pixel of every MNIST digit is 0, so is its clone');
  const rec = applied[2] as { classes: { jitter_rel: number; active_pixels: number }[] };
  assert.equal(rec.classes.length, 10);
  assert.ok(rec.classes.every((k) => k.active_pixels < 784 && k.jitter_rel > 0));
});
