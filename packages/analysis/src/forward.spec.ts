import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { MaskedMlp, type LayerParams } from './forward.ts';
import { ablationOrder, binomialPmf, degreeGroups, inDegreeHistogram, iprPerNode } from './measures.ts';
import { sampleDegreePreserving } from './nulls.ts';
import { inDegrees, pixelCounts } from './connectivity.ts';

const ones = (n: number) => new Float32Array(n).fill(1);
const zeros = (n: number) => new Float32Array(n);

function layer(W: number[], b: number[], fanIn: number, fanOut: number, extra: Partial<LayerParams> = {}): LayerParams {
  return {
    W: Float32Array.from(W),
    b: Float32Array.from(b),
    fanIn,
    fanOut,
    gamma: ones(fanIn),
    beta: zeros(fanIn),
    mean: zeros(fanIn),
    var: ones(fanIn),
    ...extra,
  };
}

test('ablation of a known tiny network gives known accuracies', () => {
  // Node 0 reads x0, node 1 reads x1; the output layer copies them: class = argmax(h).
  const L1 = layer([1, 0, 0, 1], [0.5, 0], 2, 2);
  const L2 = layer([1, 0, 0, 1], [0, 0], 2, 2);
  const net = new MaskedMlp([L1, L2], { offset: zeros(2), scale: ones(2) });
  const x = Float32Array.from([1, 0, 0, 1, 2, 0, 0, 3]);
  const y = Int32Array.from([0, 1, 0, 1]);
  assert.equal(net.accuracy(x, y, 4), 1);
  // Removing node 0 leaves its bias: h0 = ReLU(0.5) = 0.5 < x1 for class-1 samples.
  assert.equal(net.accuracy(x, y, 4, Uint8Array.from([1, 0])), 1);
  // Removing node 1: class-1 samples now score [0.5, 0] → wrong.
  assert.equal(net.accuracy(x, y, 4, Uint8Array.from([0, 1])), 0.5);
  assert.equal(net.accuracy(x, y, 4, Uint8Array.from([1, 1])), 0.5);
  // A pruned bias mask makes the removed node output exactly 0.
  const L1m = { ...L1, maskB: Uint8Array.from([0, 1]), maskW: Uint8Array.from([1, 1, 1, 1]) };
  const netm = new MaskedMlp([L1m, L2], { offset: zeros(2), scale: ones(2) });
  assert.equal(netm.accuracy(Float32Array.from([0, 0.1]), Int32Array.from([1]), 1), 1);
  // Ablation order: 'max' = most connected first, 'min' skips dead nodes.
  assert.deepEqual(ablationOrder([3, 0, 5, 1], 'max'), [2, 0, 3]);
  assert.deepEqual(ablationOrder([3, 0, 5, 1], 'min'), [3, 0, 2]);
});

test('folded BN/normalisation forward pass equals a direct forward pass', () => {
  const rng = new Rng(9, 0);
  const dims = [12, 7, 5, 3];
  const layers: LayerParams[] = [];
  for (let l = 0; l < 3; l++) {
    const fi = dims[l]!,
      fo = dims[l + 1]!;
    const r = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
    layers.push({
      fanIn: fi,
      fanOut: fo,
      W: r(fi * fo, () => rng.normal()),
      b: r(fo, () => rng.normal()),
      gamma: r(fi, () => 1 + 0.3 * rng.normal()),
      beta: r(fi, () => rng.normal()),
      mean: r(fi, () => rng.normal()),
      var: r(fi, () => 0.5 + rng.next()),
      maskW: Uint8Array.from({ length: fi * fo }, () => (rng.next() < 0.6 ? 1 : 0)),
      maskB: Uint8Array.from({ length: fo }, () => (rng.next() < 0.8 ? 1 : 0)),
    });
  }
  const norm = {
    offset: Float32Array.from({ length: 12 }, () => rng.next()),
    scale: Float32Array.from({ length: 12 }, () => 1 + rng.next()),
  };
  const n = 200;
  const x = Float32Array.from({ length: n * 12 }, () => (rng.next() < 0.3 ? 0 : rng.next() * 3));
  const predict = (s: number) => {
    let h = Array.from({ length: 12 }, (_, i) => (x[s * 12 + i]! - norm.offset[i]!) * norm.scale[i]!);
    layers.forEach((L, l) => {
      const hb = h.map((v, i) => ((v - L.mean[i]!) / Math.sqrt(L.var[i]! + 1e-10)) * L.gamma[i]! + L.beta[i]!);
      const o = Array.from({ length: L.fanOut }, (_, j) => {
        let z = L.maskB![j] ? L.b[j]! : 0;
        for (let i = 0; i < L.fanIn; i++) if (L.maskW![i * L.fanOut + j]) z += hb[i]! * L.W[i * L.fanOut + j]!;
        return l < 2 ? Math.max(0, z) : z;
      });
      h = o;
    });
    return h.indexOf(Math.max(...h));
  };
  const y = Int32Array.from({ length: n }, (_, s) => predict(s));
  const net = new MaskedMlp(layers, norm);
  assert.equal(net.accuracy(x, y, n), 1);
  // The incremental ablation curve equals explicit ablation at every size.
  const order = [4, 0, 6, 2, 1];
  const sizes = [0, 1, 3, 5];
  const z1 = net.firstLayer(x, n);
  const curve = net.ablationCurve(z1, n, y, order, sizes);
  sizes.forEach((s, i) => {
    const ab = new Uint8Array(7);
    for (const j of order.slice(0, s)) ab[j] = 1;
    assert.ok(Math.abs(curve[i]! - net.accuracy(x, y, n, ab)) < 1e-12, `size ${s}`);
  });
  assert.ok(curve[3]! < 1);
});

test('C^in histogram counts every node; binomial expectation sums to the node count', () => {
  const deg = [3, 4, 4, 10, 11];
  const h = inDegreeHistogram(deg, 100, 0.05, 2);
  assert.equal(
    h.reduce((a, b) => a + b.count, 0),
    5,
  );
  assert.equal(h.find((b) => b.lo === 4)!.count, 2);
  assert.ok(Math.abs(h.reduce((a, b) => a + b.expected, 0) - 5) < 1e-6);
  assert.ok(Math.abs(binomialPmf(10, 0.3, 3) - 120 * 0.027 * 0.7 ** 7) < 1e-12);
  const g = degreeGroups([0, 1, 2, 11, 12, 40], 10, 3);
  assert.deepEqual(Array.from(g.groups), [-1, -1, 0, 0, 1, 2]);
  assert.deepEqual(
    g.bins.map((b) => b.nodes),
    [2, 1, 1],
  );
});

test('IPR of known columns', () => {
  // Node 0: one weight → IPR 1; node 1: four equal weights → 1/4; node 2 masked out → NaN.
  const W = Float32Array.from([2, 1, 5, 0, 1, 0, 0, -1, 0, 0, 1, 0]);
  const M = Uint8Array.from([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0]);
  const ipr = iprPerNode(W, M, 4, 3);
  assert.equal(ipr[0], 1);
  assert.equal(ipr[1], 0.25);
  assert.ok(Number.isNaN(ipr[2]));
});

test('degree-preserving null keeps in-degrees and follows the pixel weights', () => {
  const rng = new Rng(5, 0);
  const weights = Float64Array.from({ length: 64 }, (_, p) => (p < 32 ? 3 : p < 48 ? 1 : 0));
  const deg = Int32Array.from({ length: 300 }, (_, j) => [1, 5, 20, 40][j % 4]!);
  const c = sampleDegreePreserving(rng, deg, weights);
  assert.deepEqual(Array.from(inDegrees(c)), Array.from(deg));
  const pc = pixelCounts(c);
  for (let p = 48; p < 64; p++) assert.equal(pc[p], 0);
  const hi = pc.slice(0, 32).reduce((a, b) => a + b, 0) / 32;
  const lo = pc.slice(32, 48).reduce((a, b) => a + b, 0) / 16;
  assert.ok(hi > lo * 1.3, `${hi} vs ${lo}`);
});
