import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import {
  bernoulliMask,
  globalMagnitude,
  keepCount,
  layerReport,
  layerwiseMagnitude,
  magnitudeKeep,
  randomPrune,
  scheduleDensity,
  stopRuleFires,
  type PrunableLayer,
} from './prune.ts';

function layer(l: number, fanIn: number, fanOut: number, seed: number): PrunableLayer {
  const r = new Rng(seed, l);
  return {
    l,
    fanIn,
    fanOut,
    w: new Float32Array(fanIn * fanOut).map(() => r.normal()),
    b: new Float32Array(fanOut).map(() => r.normal()),
    mw: new Uint8Array(fanIn * fanOut).fill(1),
    mb: new Uint8Array(fanOut).fill(1),
  };
}
const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

test('layer-wise: after k levels at 0.3 each layer keeps exactly round(N·0.7^k), nested masks', () => {
  const layers = [layer(1, 37, 23, 1), layer(2, 23, 11, 2)];
  for (let k = 1; k <= 8; k++) {
    const masks = layerwiseMagnitude(layers, scheduleDensity(0.3, k));
    masks.forEach((m, i) => {
      const L = layers[i]!;
      const n = L.w.length + L.b.length;
      assert.equal(count(m.mw) + count(m.mb), Math.round(n * Math.pow(0.7, k)), `layer ${L.l} level ${k}`);
      for (let j = 0; j < m.mw.length; j++) if (m.mw[j]) assert.equal(L.mw[j], 1, 'pruned entries never return');
      L.mw = m.mw;
      L.mb = m.mb;
    });
  }
});

test('magnitude: keeps the largest entries; ties broken by index (weights before biases)', () => {
  const L: PrunableLayer = {
    l: 1,
    fanIn: 2,
    fanOut: 2,
    w: Float32Array.from([1, -3, 1, 0.5]),
    b: Float32Array.from([1, 2]),
    mw: new Uint8Array([1, 1, 1, 1]),
    mb: new Uint8Array([1, 1]),
  };
  // |scores| = [1,3,1,0.5 | 1,2]; keep 4 → 3, 2, then the first two of the three 1s (w0, w2).
  const [m] = magnitudeKeep([L], 4);
  assert.deepEqual([...m!.mw], [1, 1, 1, 0]);
  assert.deepEqual([...m!.mb], [0, 1]);
  // An already-pruned large weight counts as 0 and stays pruned.
  L.mw = new Uint8Array([1, 0, 1, 1]);
  const [m2] = magnitudeKeep([L], 2);
  assert.deepEqual([...m2!.mw, ...m2!.mb], [1, 0, 0, 0, 0, 1]);
});

test('magnitude: all-equal magnitudes keep the lowest indices, deterministically', () => {
  const L: PrunableLayer = {
    l: 1,
    fanIn: 3,
    fanOut: 3,
    w: new Float32Array(9).fill(0.5),
    b: new Float32Array(3).fill(0.5),
    mw: new Uint8Array(9).fill(1),
    mb: new Uint8Array(3).fill(1),
  };
  const [m] = magnitudeKeep([L], 5);
  assert.deepEqual([...m!.mw, ...m!.mb], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
});

test('global: total kept is round(N_total·u) and the largest entries survive across layers', () => {
  const a = layer(1, 20, 10, 3);
  const b = layer(2, 10, 5, 4);
  b.w = b.w.map((v) => Math.sign(v) * (100 + Math.abs(v))); // layer 2 dominates the global ranking
  const masks = globalMagnitude([a, b], 0.2);
  const total = a.w.length + a.b.length + b.w.length + b.b.length;
  const kept = masks.reduce((s, m) => s + count(m.mw) + count(m.mb), 0);
  assert.equal(kept, keepCount(total, 0.2));
  assert.equal(count(masks[1]!.mw), b.w.length);
});

test('random: same per-layer counts, seeded, subset of alive entries', () => {
  const L = layer(1, 30, 20, 5);
  L.mw = L.mw.map((_, i) => (i % 2 ? 1 : 0));
  const a = randomPrune([L], 0.25, 9);
  const b = randomPrune([L], 0.25, 9);
  const c = randomPrune([L], 0.25, 10);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(count(a[0]!.mw) + count(a[0]!.mb), Math.round((600 + 20) * 0.25));
  for (let i = 0; i < L.mw.length; i++) if (a[0]!.mw[i]) assert.equal(L.mw[i], 1);
});

test('alive nodes count incoming weight connections; stop rule', () => {
  // 3 inputs × 4 nodes: node 0 has 2 inputs, node 2 has 1, nodes 1 and 3 have none (bias only).
  const mw = Uint8Array.from([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  const r = layerReport(1, 3, 4, mw, Uint8Array.from([1, 1, 1, 1]));
  assert.equal(r.alive_nodes, 2);
  assert.equal(r.alive_fraction, 0.5);
  assert.equal(r.kept, 7);
  assert.equal(stopRuleFires([r], 0.5), true);
  assert.equal(stopRuleFires([r], 0.2), false);
});

test('bernoulli (random sparse init, spec §3.3 (2)): i.i.d. weights at the density, biases kept, previous mask ignored, levels independent', () => {
  const L = layer(1, 200, 100, 4);
  // A previous mask that would forbid most entries: bernoulli must not be restricted by it.
  L.mw = new Uint8Array(L.w.length).map((_, i) => (i % 10 === 0 ? 1 : 0));
  L.mb = new Uint8Array(L.b.length);
  const n = L.w.length;
  for (const [density, level] of [
    [0.7, 1],
    [0.1, 7],
    [0.0068, 14],
  ] as const) {
    const [m] = bernoulliMask([L], density, 0, level);
    const k = count(m!.mw);
    // Binomial(n, p): within 5 standard deviations of n·p.
    assert.ok(Math.abs(k - n * density) < 5 * Math.sqrt(n * density * (1 - density)), `level ${level}: kept ${k}`);
    assert.equal(count(m!.mb), L.b.length, 'every bias kept');
    let outside = 0;
    for (let i = 0; i < n; i++) if (m!.mw[i] && !L.mw[i]) outside++;
    assert.ok(outside > 0.8 * k, 'not nested in the previous mask');
  }
  const a = bernoulliMask([L], 0.5, 0, 3)[0]!.mw;
  assert.deepEqual(bernoulliMask([L], 0.5, 0, 3)[0]!.mw, a, 'seeded');
  const b = bernoulliMask([L], 0.5, 0, 4)[0]!.mw;
  const c = bernoulliMask([L], 0.5, 1, 3)[0]!.mw;
  // Another level or seed is an independent draw: about half of the entries agree.
  for (const other of [b, c]) {
    let same = 0;
    for (let i = 0; i < n; i++) same += a[i] === other[i] ? 1 : 0;
    assert.ok(Math.abs(same / n - 0.5) < 0.02, `agreement ${same / n}`);
  }
  // Kept weights are spread uniformly: no row of the layer is favoured (chi-square over 200 rows).
  const m = bernoulliMask([L], 0.3, 2, 5)[0]!.mw;
  let chi = 0;
  for (let r = 0; r < 200; r++) {
    let k = 0;
    for (let j = 0; j < 100; j++) k += m[r * 100 + j]!;
    chi += (k - 30) ** 2 / 30;
  }
  assert.ok(chi < 300, `chi-square ${chi} over 199 degrees of freedom`);
});
