import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { fakeContexts, recordingOutput } from './fake-context.ts';
import { maskShape } from './mask-shape.ts';

const H = 28,
  W = 28;
const randomNode = (rng: Rng, k: number) => {
  const s = new Set<number>();
  while (s.size < k) s.add(rng.int(H * W));
  return [...s];
};
const bar = (y: number, x: number, n: number) => Array.from({ length: n }, (_, i) => y * W + x + i);

async function run(nodes: number[][], weights?: number[][]) {
  const { x, lv } = fakeContexts({ height: H, width: W, nodes, weights, cfg: { shapeNullSamples: 8 } });
  const { out, rec } = recordingOutput();
  const m = maskShape.start(x);
  await m.level!(lv, out);
  m.finish!([{ level: lv.level, u: lv.u, ...rec.scalars } as never], out);
  return rec;
}

test('mask shape: horizontal bars are elongated (= their length) at 0° and compact; random masks match the null', async () => {
  const rng = new Rng(11, 0);
  const bars = Array.from({ length: 20 }, () => bar(2 + rng.int(24), rng.int(20), 8));
  const randoms = Array.from({ length: 20 }, () => randomNode(rng, 8));
  const rec = await run([...bars, ...randoms]);
  const rows = rec.rows.mask_shape_nodes!;
  assert.equal(rows.length, 40);
  for (const r of rows.slice(0, 20)) {
    assert.ok(Math.abs((r.elongation as number) - 8) < 1e-9, `bar elongation ${r.elongation}`);
    assert.ok(Math.abs(r.orientation as number) < 1e-9);
    assert.ok(Math.abs((r.spread as number) - 2) < 1e-9, 'mean |x − centre| of 8 cells = 2');
    assert.ok((r.compactness as number) < 0.3, `bar compactness ${r.compactness}`);
  }
  const rand = rows.slice(20);
  const meanC = rand.reduce((a, r) => a + (r.compactness as number), 0) / rand.length;
  assert.ok(Math.abs(meanC - 1) < 0.15, `random compactness ${meanC}`);
  const s = rec.scalars;
  assert.equal(s.shape_nodes, 40);
  assert.ok(Math.abs(s.compactness_null! - 1) < 0.05, `null compactness ${s.compactness_null}`);
  assert.ok(s.elongation_ratio! > 2, `elongation ratio ${s.elongation_ratio}`);
  assert.ok(s.compactness_mean! < 0.75);
  // All 20 bars are on an axis, plus some random masks: above the null's share.
  assert.ok(s.orientation_axis_fraction! > s.orientation_axis_fraction_null! + 0.2);
  // Equal weights: the weighted statistics are the unweighted ones.
  assert.equal(s.elongation_w_mean, s.elongation_mean);
  // Figures: three histograms at a detail level, three curves vs u.
  assert.deepEqual(rec.figures.map((f) => f.id).sort(), [
    'compactness_vs_u',
    'elongation_vs_u',
    'orientation_vs_u',
    'shape_hist_compactness',
    'shape_hist_elongation',
    'shape_hist_orientation',
  ]);
  const hist = rec.rows.mask_shape_hist!.filter((r) => r.statistic === 'elongation' && r.source === 'mask');
  assert.ok(Math.abs(hist.reduce((a, r) => a + (r.fraction as number), 0) - 1) < 1e-9, 'fractions sum to 1');
});

test('mask shape: a level of random masks is at the null (ratios ≈ 1), and weights on a bar change only the weighted shape', async () => {
  const rng = new Rng(12, 0);
  const rec = await run(Array.from({ length: 200 }, () => randomNode(rng, 1 + 12 + rng.int(40))));
  const s = rec.scalars;
  assert.ok(Math.abs(s.elongation_ratio! - 1) < 0.05, `elongation ratio ${s.elongation_ratio}`);
  assert.ok(Math.abs(s.compactness_mean! - 1) < 0.03, `compactness ${s.compactness_mean}`);
  assert.ok(Math.abs(s.compactness_null! - 1) < 0.03, `null compactness ${s.compactness_null}`);
  // Few random masks reach elongation 1.5, so their orientation share is noisy; both sit below one half.
  assert.ok(s.orientation_axis_fraction! < 0.5 && s.orientation_axis_fraction_null! < 0.5, JSON.stringify(s));
  // One node: a 2-row block whose weight sits on one row → weighted shape is a 1×6 bar.
  const block = [...bar(5, 5, 6), ...bar(6, 5, 6)];
  const w = [...new Array(6).fill(1), ...new Array(6).fill(1e-6)];
  const one = await run([block], [w]);
  const r = one.rows.mask_shape_nodes![0]!;
  assert.ok(Math.abs((r.elongation as number) - Math.sqrt((35 / 12 + 1 / 12) / (0.25 + 1 / 12))) < 1e-9);
  assert.ok(Math.abs((r.elongation_w as number) - 6) < 1e-3, `weighted ${r.elongation_w}`);
});
