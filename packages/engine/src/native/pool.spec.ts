// The recycling pool must never let a recycled array alias live data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../tf.ts';
import { nativeAvailable, useBackend } from '../test-util.ts';
import { poolStats } from './pool.ts';

const skip = nativeAvailable() ? false : 'native addon not built';
const N = 300 * 1024; // above the pooling threshold

test('dataSync() result survives dispose and array reuse', { skip }, async () => {
  await useBackend('native');
  const a = tf.fill([N], 2);
  const b = tf.mul(a, a); // pooled output
  const v = b.dataSync();
  b.dispose();
  const hits = poolStats.hits;
  const c = tf.mul(a, tf.fill([N], 3)); // same size: reuses b's array
  assert.ok(poolStats.hits > hits, 'pool was not used');
  assert.equal(v[0], 4);
  assert.equal(v[N - 1], 4);
  assert.equal(c.dataSync()[0], 6);
  tf.dispose([a, c]);
});

test('slices and splits of a pooled tensor stay valid after the parent is disposed', { skip }, async () => {
  await useBackend('native');
  const a = tf.fill([4, N / 4], 1);
  const [p, q] = tf.tidy(() => tf.split(tf.add(a, a), 2));
  const r = tf.tidy(() => tf.slice(tf.add(a, a), [1, 0], [1, N / 4]));
  // Churn the pool with same-size outputs of different values.
  for (let k = 0; k < 5; k++) tf.tidy(() => tf.mul(a, tf.scalar(100 + k)).dataSync());
  for (const t of [p, q, r]) {
    const v = t.dataSync();
    assert.ok(
      v.every((x) => x === 2),
      'slice view was overwritten',
    );
  }
  tf.dispose([a, p, q, r]);
});

test('reshape shares data by refcount: disposing the source keeps the reshaped tensor intact', { skip }, async () => {
  await useBackend('native');
  const a = tf.fill([N], 5);
  const b = tf.add(a, a);
  const c = tf.reshape(b, [2, N / 2]);
  b.dispose();
  for (let k = 0; k < 3; k++) tf.tidy(() => tf.mul(a, tf.scalar(-1)).dataSync());
  assert.ok(c.dataSync().every((x) => x === 10));
  tf.dispose([a, c]);
});
