import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { fakeContexts, recordingOutput } from './fake-context.ts';
import { pcAlignment } from './pc-alignment.ts';

const H = 20,
  W = 20,
  D = H * W;
const rowBar = Array.from({ length: 8 }, (_, i) => 5 * W + 4 + i);
const colBar = Array.from({ length: 8 }, (_, i) => (10 + i) * W + 15);

/** Class 0 varies along a horizontal bar, class 1 along a vertical one, plus weak noise. */
function sample(n: number) {
  const rng = new Rng(3, 0);
  const x = new Float32Array(2 * n * D);
  const y = new Int32Array(2 * n);
  for (let s = 0; s < 2 * n; s++) {
    const c = s % 2;
    y[s] = c;
    for (let p = 0; p < D; p++) x[s * D + p] = 0.05 * rng.normal();
    const z = 3 * rng.normal();
    for (const p of c === 0 ? rowBar : colBar) x[s * D + p]! += z;
  }
  return { x, y };
}

test('PC alignment: a mask on the support of a class’s leading PC scores ≈ 1 for that class; random masks score ≈ the null', async () => {
  const rng = new Rng(4, 0);
  const randoms = Array.from({ length: 30 }, () => {
    const s = new Set<number>();
    while (s.size < 8) s.add(rng.int(D));
    return [...s];
  });
  const { x, lv } = fakeContexts({
    height: H,
    width: W,
    nodes: [rowBar, colBar, ...randoms],
    cfg: { pcComponents: 3, shapeNullSamples: 8 },
    classSample: sample(400),
    numClasses: 2,
  });
  const { out, rec } = recordingOutput();
  const m = pcAlignment.start(x);
  await m.level!(lv, out);
  const nodes = rec.rows.pc_alignment_nodes!;
  assert.equal(nodes.length, 32);
  assert.ok((nodes[0]!.alignment as number) > 0.95 && nodes[0]!.class === 0, `row bar ${nodes[0]!.alignment}`);
  assert.ok((nodes[1]!.alignment as number) > 0.95 && nodes[1]!.class === 1, `column bar ${nodes[1]!.alignment}`);
  const rand = nodes.slice(2).reduce((a, r) => a + (r.alignment as number), 0) / 30;
  const s = rec.scalars;
  assert.ok(Math.abs(rand - s.pc_alignment_null!) < 0.05, `random ${rand} vs null ${s.pc_alignment_null}`);
  assert.ok(s.pc_alignment_null! < 0.2);
  // Equal weights: weighted = unweighted.
  assert.ok(Math.abs(s.pc_alignment_w_mean! - s.pc_alignment_mean!) < 1e-12);
  // The PCs table: 2 classes × 3 components; the leading one carries most of the class variance.
  const pcs = rec.rows.class_pcs!;
  assert.equal(pcs.length, 6);
  assert.ok((pcs[0]!.explained as number) > 0.9);
  assert.ok(rec.figures.some((f) => f.id === 'class_pcs' && f.png));
});

test('PC alignment is skipped (null scalars, a reason in the summary) without a class sample', async () => {
  const { x, lv } = fakeContexts({
    height: H,
    width: W,
    nodes: [rowBar],
    cfg: { pcSamplesPerClass: 0 },
    numClasses: 2,
  });
  const { out, rec } = recordingOutput();
  const m = pcAlignment.start(x);
  await m.level!(lv, out);
  assert.equal(rec.scalars.pc_alignment_mean, null);
  assert.deepEqual(m.summary!(), { pc_alignment: { skipped: 'pcSamplesPerClass is 0' } });
});
