import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, tf, FusedFcn, fusedUnavailable } from '@imp/engine';
import { glorotNormal, Rng } from '@imp/artifacts';
import { Net, type LayerValues } from './model.ts';
import { Optimizer } from './optimizer.ts';

// spec §1.1 FCN, small enough for a fast suite; 100 steps as issue 12 asks.
const DIMS = [64, 40, 20, 10];
const B = 16;
const STEPS = 100;
// lr 0.01: at 0.05 with momentum 0.9 (an effective step of 0.5 on a 16-image batch) a ReLU unit
// near 0 flips in one path and not the other after ~60 steps for some data, and the float32
// rounding difference (1e-6 until then) jumps to 1e-2: chaos, not semantics. Measured over 12
// data seeds: lr 0.05 agreed for 1 of 6, lr 0.01 for 11 of 12 (the 12th: 1.3e-6 in a 2e-4 momentum).
const HYPER = { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, eps: 1e-5, bnDecay: 0.9 };

function makeValues(density: number | null): LayerValues[] {
  const rng = new Rng(7);
  return DIMS.slice(1).map((fanOut, i) => {
    const fanIn = DIMS[i]!;
    const v: LayerValues = {
      l: i + 1,
      fanIn,
      fanOut,
      w: glorotNormal(3, i + 1, fanIn, fanOut),
      b: Float32Array.from({ length: fanOut }, () => 0.1 * (rng.next() - 0.5)),
      gamma: Float32Array.from({ length: fanIn }, () => 0.5 + rng.next()),
      beta: Float32Array.from({ length: fanIn }, () => rng.next() - 0.5),
    };
    if (density !== null) {
      v.mw = Uint8Array.from({ length: fanIn * fanOut }, () => (rng.next() < density ? 1 : 0));
      v.mb = Uint8Array.from({ length: fanOut }, () => (rng.next() < Math.max(density, 0.3) ? 1 : 0));
    }
    return v;
  });
}

/**
 * Inputs uniform in [-1, 1] and labels from a fixed linear teacher (argmax of x·T): a learnable
 * task, so gradients shrink as training goes. (With random labels the nets memorise, ReLU units
 * keep flipping, and float32 rounding differences grow chaotically over 100 steps; agreement to
 * 1e-5 then held only for some seeds.)
 */
function batches(): { x: Float32Array; y: Int32Array }[] {
  const rng = new Rng(11);
  const D = DIMS[0]!;
  const T = Float64Array.from({ length: D * 10 }, () => rng.normal());
  return Array.from({ length: STEPS }, () => {
    const x = Float32Array.from({ length: B * D }, () => rng.next() * 2 - 1);
    const y = Int32Array.from({ length: B }, (_, r) => {
      let best = 0;
      let bestV = -Infinity;
      for (let k = 0; k < 10; k++) {
        let v = 0;
        for (let d = 0; d < D; d++) v += x[r * D + d]! * T[d * 10 + k]!;
        if (v > bestV) [best, bestV] = [k, v];
      }
      return best;
    });
    return { x, y };
  });
}

function runTfjs(values: LayerValues[], data: ReturnType<typeof batches>): Map<string, Float32Array> {
  const net = new Net(values, HYPER.eps, HYPER.bnDecay);
  const params = net.trainable();
  const opt = new Optimizer(
    { optimizer: 'sgd', adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-8, ...HYPER },
    params,
  );
  data.forEach(({ x: xb, y: yb }, step) => {
    const x = tf.tensor2d(xb, [B, DIMS[0]!]);
    if (!net.emaReady) net.setEmaFromBatch(x);
    tf.tidy(() => {
      const onehot = tf.oneHot(tf.tensor1d(yb, 'int32'), 10).toFloat();
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(onehot, net.forwardTrain(x, 'update')) as tf.Scalar,
        params.map((p) => p.v),
      );
      opt.apply(grads, step);
    });
    x.dispose();
  });
  const out = new Map([...net.export(), ...opt.export()].map((t) => [t.name, t.data]));
  net.dispose();
  opt.dispose();
  return out;
}

function runFused(
  values: LayerValues[],
  data: ReturnType<typeof batches>,
): { t: Map<string, Float32Array>; f: FusedFcn } {
  const f = new FusedFcn(values, B, B, HYPER);
  for (const { x, y } of data) {
    f.input().set(x);
    if (!f.emaReady) f.setEmaFromBatch();
    f.step(y);
  }
  return { t: new Map([...f.exportParams(), ...f.exportOptimizer()].map((t) => [t.name, t.data])), f };
}

const skip = fusedUnavailable('sgd');

// null: no mask; 0.5: dense masked path; 0.01: the CSR/CSC path (below FUSED_SPARSE_THRESHOLD).
for (const density of [null, 0.5, 0.01]) {
  test(
    `fused step = tfjs path after ${STEPS} steps (${density === null ? 'dense' : `mask density ${density}`})`,
    { skip: skip ?? false },
    async () => {
      await initEngine({ backend: 'cpu' });
      const data = batches();
      const ref = runTfjs(makeValues(density), data);
      const { t: got, f } = runFused(makeValues(density), data);
      assert.deepEqual([...got.keys()].sort(), [...ref.keys()].sort());
      for (const [name, r] of ref) {
        const g = got.get(name)!;
        let num = 0;
        let den = 0;
        for (let i = 0; i < r.length; i++) {
          num = Math.max(num, Math.abs(g[i]! - r[i]!));
          den = Math.max(den, Math.abs(r[i]!));
        }
        // 1e-5 relative to the tensor's scale; the 1e-6 floor covers small tensors (biases, their
        // momenta, near-dead units at 1% density) whose float32 sums of ~1e-2 terms cancel to
        // ~1e-4 and differ by summation order alone (tfjs reductions vs the fused loops).
        assert.ok(num <= 1e-5 * den + 1e-6, `${name}: max |diff| ${num} vs max |ref| ${den}`);
      }
      assert.equal(f.maskedNonZero(), 0);
      // Masked entries exactly 0 (not merely small) in params and momenta.
      const values = makeValues(density);
      for (const v of values)
        if (v.mw)
          for (const name of [`W${v.l}`, `opt.W${v.l}.0`]) {
            const w = got.get(name)!;
            for (let i = 0; i < w.length; i++) if (!v.mw[i]) assert.equal(w[i], 0, `${name}[${i}]`);
          }
    },
  );
}

test('fused runs are bitwise reproducible', { skip: skip ?? false }, () => {
  const data = batches().slice(0, 30);
  const a = runFused(makeValues(0.2), data).t;
  const b = runFused(makeValues(0.2), data).t;
  for (const [name, d] of a)
    assert.deepEqual(
      Buffer.from(d.buffer, d.byteOffset, d.byteLength),
      Buffer.from(b.get(name)!.buffer, b.get(name)!.byteOffset, b.get(name)!.byteLength),
      name,
    );
});

test('fused eval logits = tfjs forwardEval', { skip: skip ?? false }, async () => {
  await initEngine({ backend: 'cpu' });
  const data = batches().slice(0, 10);
  const { f } = runFused(makeValues(0.5), data);
  const t = new Map([...f.exportParams()].map((x) => [x.name, x.data]));
  const values = makeValues(0.5).map((v) => ({
    ...v,
    w: t.get(`W${v.l}`)!,
    b: t.get(`b${v.l}`)!,
    gamma: t.get(`bn${v.l}.gamma`)!,
    beta: t.get(`bn${v.l}.beta`)!,
    mean: t.get(`bn${v.l}.mean`)!,
    variance: t.get(`bn${v.l}.var`)!,
  }));
  const net = new Net(values, HYPER.eps, HYPER.bnDecay);
  f.evalInput().set(data[0]!.x);
  const got = Float32Array.from(f.evalLogits());
  const ref = tf.tidy(() => net.forwardEval(tf.tensor2d(data[0]!.x, [B, DIMS[0]!])).dataSync() as Float32Array);
  for (let i = 0; i < ref.length; i++)
    assert.ok(Math.abs(got[i]! - ref[i]!) <= 1e-5 * (1 + Math.abs(ref[i]!)), `logit ${i}`);
  net.dispose();
});
