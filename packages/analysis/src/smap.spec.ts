import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { composeConnectivity, connectivityFromMask, inDegrees, pixelCounts } from './connectivity.ts';
import {
  bruteForceSMaps,
  computeSMaps,
  dmapAt,
  expectedUniform,
  localFraction,
  localityRatio,
  pairCapacity,
  radialProfile,
  radiusAtHalfMax,
} from './smap.ts';

function randomMask(rng: Rng, fanIn: number, fanOut: number, density: number): Uint8Array {
  const m = new Uint8Array(fanIn * fanOut);
  for (let i = 0; i < m.length; i++) m[i] = rng.next() < density ? 1 : 0;
  return m;
}

test('FFT, direct and mixed S maps equal brute-force pair counting exactly (1-3 channels, odd sizes, valid subset, groups)', () => {
  const rng = new Rng(1, 0);
  for (const g of [
    { channels: 1, height: 5, width: 7 },
    { channels: 3, height: 6, width: 4 },
    { channels: 2, height: 9, width: 9 },
  ]) {
    const D = g.channels * g.height * g.width;
    const mask = randomMask(rng, D, 13, 0.3);
    const c = connectivityFromMask(mask, D, 13);
    const valid = randomMask(rng, D, 1, 0.8);
    for (const v of [undefined, valid]) {
      const slow = bruteForceSMaps(c, g, v);
      // 0: every node by FFT; Infinity: every node directly; 100: a mix (degrees here ≈ 3-30).
      for (const directMaxPairs of [0, Infinity, 100]) {
        const fast = computeSMaps(c, g, { valid: v, directMaxPairs })[0]!;
        assert.deepEqual(Array.from(fast.sc.data), Array.from(slow.sc.data), `directMaxPairs ${directMaxPairs}`);
        assert.deepEqual(Array.from(fast.dc.data), Array.from(slow.dc.data), `directMaxPairs ${directMaxPairs}`);
        assert.equal(fast.nodes, slow.nodes);
      }
      const groups = Int32Array.from({ length: 13 }, (_, j) => (j % 4) - 1); // group −1 = skipped
      const byFft = computeSMaps(c, g, { valid: v, groups, nGroups: 3, directMaxPairs: 0 });
      const mixed = computeSMaps(c, g, { valid: v, groups, nGroups: 3, directMaxPairs: 100 });
      assert.deepEqual(
        mixed.map((m) => [Array.from(m.sc.data), Array.from(m.dc.data), m.nodes]),
        byFft.map((m) => [Array.from(m.sc.data), Array.from(m.dc.data), m.nodes]),
      );
    }
  }
});

test('groups split the maps and sum to the total', () => {
  const rng = new Rng(2, 0);
  const g = { channels: 3, height: 8, width: 8 };
  const c = connectivityFromMask(randomMask(rng, 192, 10, 0.2), 192, 10);
  const groups = Int32Array.from({ length: 10 }, (_, j) => j % 3);
  const parts = computeSMaps(c, g, { groups, nGroups: 3 });
  const total = computeSMaps(c, g)[0]!;
  const sum = parts.reduce((a, p) => a.map((x, i) => x + p.sc.data[i]!), new Float64Array(total.sc.data.length));
  assert.deepEqual(Array.from(sum), Array.from(total.sc.data));
});

test('nodes connected to a 3×3 patch put S^sc mass only within |d|∞ ≤ 2, symmetric, S^sc(0)=0', () => {
  const g = { channels: 3, height: 16, width: 16 };
  const D = 768;
  const nodes = 20;
  const rng = new Rng(3, 0);
  const mask = new Uint8Array(D * nodes);
  for (let j = 0; j < nodes; j++) {
    const y0 = rng.int(14),
      x0 = rng.int(14),
      ch = rng.int(3);
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++) mask[(ch * 256 + (y0 + dy) * 16 + x0 + dx) * nodes + j] = 1;
  }
  const s = computeSMaps(connectivityFromMask(mask, D, nodes), g)[0]!;
  assert.equal(localFraction(s.sc, 2), 1);
  assert.equal(dmapAt(s.sc, 0, 0), 0);
  assert.equal(dmapAt(s.sc, 1, 0), 20 * 6); // q − p = (1, 0): 3 columns × 2 rows per patch
  for (let dy = -15; dy <= 15; dy++)
    for (let dx = -15; dx <= 15; dx++) assert.equal(dmapAt(s.sc, dy, dx), dmapAt(s.sc, -dy, -dx));
  assert.equal(
    s.dc.data.reduce((a, b) => a + b, 0),
    0,
  );
  // 9 pixels: 72 ordered pairs per node.
  assert.equal(
    s.sc.data.reduce((a, b) => a + b, 0),
    20 * 72,
  );
});

test('uniform random mask gives S^sc ∝ (H−|dy|)(W−|dx|) within sampling error; exact expectation matches', () => {
  const g = { channels: 3, height: 16, width: 16 };
  const D = 768;
  const nodes = 400;
  const rng = new Rng(4, 0);
  const c = connectivityFromMask(randomMask(rng, D, nodes, 0.1), D, nodes);
  const s = computeSMaps(c, g)[0]!;
  const e = expectedUniform(pairCapacity(g), inDegrees(c), D);
  assert.equal(dmapAt(pairCapacity(g).sc, 3, -5), 3 * (16 - 3) * (16 - 5));
  let chi = 0,
    n = 0;
  for (let dy = -15; dy <= 15; dy++)
    for (let dx = -15; dx <= 15; dx++) {
      if (!dy && !dx) continue;
      const ex = dmapAt(e.sc, dy, dx);
      assert.ok(Math.abs(ex / ((16 - Math.abs(dy)) * (16 - Math.abs(dx))) - dmapAt(e.sc, 1, 0) / (15 * 16)) < 1e-9);
      chi += (dmapAt(s.sc, dy, dx) - ex) ** 2 / ex;
      n++;
    }
  // Counts are Poisson-like around the expectation (pairs within a node correlate weakly).
  assert.ok(chi / n < 1.5, `chi²/dof = ${chi / n}`);
  const ratio = localityRatio(s.sc, e.sc, 3);
  assert.ok(Math.abs(ratio - 1) < 0.05, `ratio ${ratio}`);
  const rh = radiusAtHalfMax(radialProfile(s.sc));
  assert.ok(rh > 5, `r_half ${rh}`);
});

test('C^in and pixel counts of a known mask are exact; effective connectivity is the boolean product', () => {
  // 4 inputs, 3 nodes.
  const m1 = Uint8Array.from([1, 0, 0, /**/ 1, 1, 0, /**/ 0, 0, 0, /**/ 1, 0, 1]);
  const c1 = connectivityFromMask(m1, 4, 3);
  assert.deepEqual(Array.from(inDegrees(c1)), [3, 1, 1]);
  assert.deepEqual(Array.from(pixelCounts(c1)), [1, 2, 0, 2]);
  assert.deepEqual(Array.from(inDegrees(c1, Uint8Array.from([1, 1, 1, 0]))), [2, 1, 0]);
  // Layer 2: 3 → 2; node 0 ← {1, 2}, node 1 ← {} .
  const m2 = Uint8Array.from([0, 0, /**/ 1, 0, /**/ 1, 0]);
  const c2 = composeConnectivity(c1, m2, 3, 2);
  assert.deepEqual(Array.from(inDegrees(c2)), [2, 0]);
  assert.deepEqual(Array.from(pixelCounts(c2)), [0, 1, 0, 1]);
});
