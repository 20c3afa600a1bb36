import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fusedThreadsFor, FUSED_MT_MIN_MACS } from './fused-fcn.ts';

test('fused thread rule: LeNet-sized steps on one thread, the 3072-1024×3 net on two (at most the available)', () => {
  assert.equal(fusedThreadsFor([784, 300, 100, 10], 100), 1);
  assert.equal(fusedThreadsFor([784, 300, 100, 10], 1000), 2); // 235M multiply-adds in layer 1
  assert.equal(fusedThreadsFor([3072, 1024, 1024, 1024, 10], 1000), 2);
  assert.equal(fusedThreadsFor([3072, 1024, 1024, 1024, 10], 1000, 1), 1);
  assert.equal(fusedThreadsFor([3072, 1024, 1024, 1024, 10], 1000, 8), 2);
  // The bound itself: a product of exactly FUSED_MT_MIN_MACS splits, one less does not.
  assert.equal(fusedThreadsFor([FUSED_MT_MIN_MACS, 1], 1), 2);
  assert.equal(fusedThreadsFor([FUSED_MT_MIN_MACS - 1, 1], 1), 1);
});
