import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openArtifact, readArrowFile, runStage } from '@imp/artifacts';
import { quiet, tempStore, writeFakeParams } from '@imp/artifacts/testing';
import { analysisStage } from './stage.ts';
import { makeSyntheticExperiment, type SyntheticOptions } from './synthetic.ts';
import { connectivityFromMask, remapInputs, inDegrees } from './connectivity.ts';
import { computeSMaps } from './smap.ts';

const TINY: SyntheticOptions = {
  channels: 3,
  height: 10,
  width: 10,
  hidden: [24, 12],
  classes: 3,
  levels: 5,
  nTrain: 60,
  nVal: 80,
  keep: 0.5,
  border: 1,
  seed: 3,
  permute: true,
};

test('analysis stage on a tiny synthetic experiment (permuted pixels): files, summary, determinism', async () => {
  const root = tempStore('imp-analysis-test-');
  const ex = await makeSyntheticExperiment(join(root, 'a'), TINY);
  const cfg = { topN: 10, gridColumns: 5, nullSamples: 2, ablationRandomRepeats: 2 };
  const r = await runStage(analysisStage, { config: cfg, inputs: ex.inputs, store: join(root, 'a'), log: quiet });
  const a = await openArtifact(r.outputs.analysis!.dir, { kind: 'analysis' });
  const s = a.manifest.summary as any;
  assert.equal(s.levels.length, 5);
  assert.equal(s.pixels_permuted, true);
  assert.equal(s.constant_pixels, 3 * 36); // the 1-pixel border of a 10×10 image, 3 channels
  // Synthetic masks are local in ORIGINAL pixel space: locality shows only if the permutation is undone.
  const last = s.levels[4];
  assert.ok(last.locality_ratio > 1.3, `locality ratio ${last.locality_ratio}`);
  assert.ok(s.levels[0].locality_ratio > 0.99 && s.levels[0].locality_ratio < 1.01);
  for (const k of [
    'level',
    'u',
    'best_val_top1',
    'locality_ratio',
    'locality_ratio_strict',
    'r_half',
    'ipr_mean',
    'cin_mean',
  ])
    assert.ok(k in last, k);
  assert.equal(s.levels[0].u, 1);
  assert.ok(s.best_level >= 0 && s.best_level < 5);
  for (const f of s.figures) assert.ok(existsSync(join(a.dir, f.file)), f.file);
  assert.ok(s.figures.some((f: any) => f.file === 'figures/accuracy_vs_u.svg'));
  assert.ok(s.figures.some((f: any) => f.file === `figures/ablation_L${s.best_level}.svg`));
  for (const t of s.tables) {
    assert.ok(existsSync(join(a.dir, t.parquet)));
    const table = readArrowFile(join(a.dir, t.file));
    assert.equal(table.numRows, t.rows);
    // The manifest declares every column, in order, with a description.
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      t.columns.map((c: any) => c.name),
      t.name,
    );
    for (const c of t.columns) assert.ok(c.description.length >= 3, `${t.name}.${c.name} described`);
  }
  // Every scalar of the summary's levels is a declared column of the levels table.
  const levelCols = s.tables.find((t: any) => t.name === 'levels').columns.map((c: any) => c.name);
  assert.deepEqual(Object.keys(last), levelCols);
  // Every chart has its Vega-Lite spec next to its SVG; mask grids are PNG rasters.
  for (const f of s.figures) {
    assert.ok(typeof f.id === 'string' && f.title && f.caption, f.file);
    if (f.file.endsWith('.svg')) {
      const spec = JSON.parse(readFileSync(join(a.dir, f.spec), 'utf8'));
      assert.ok(spec.$schema.includes('vega-lite'), f.spec);
      assert.ok(readFileSync(join(a.dir, f.file), 'utf8').startsWith('<svg'), f.file);
    } else assert.ok(f.file.endsWith('.png') && !f.spec, f.file);
  }
  const kinds = s.figures.filter((f: any) => f.kind === 'metric-vs-u').map((f: any) => f.id);
  assert.deepEqual(kinds.sort(), [
    'accuracy_vs_u',
    'compactness_vs_u',
    'elongation_vs_u',
    'ipr_vs_u',
    'locality_vs_u',
    'orientation_vs_u',
    'pc_alignment_vs_u',
    'rhalf_vs_u',
  ]);
  // The synthetic masks are local blobs in the original space: compact at the last level, at the null when dense.
  assert.ok(last.compactness_mean < 0.8, `compactness ${last.compactness_mean}`);
  assert.equal(s.levels[0].compactness_mean, 1);
  assert.ok(Math.abs(last.compactness_null - 1) < 0.1, `null compactness ${last.compactness_null}`);
  assert.ok(s.figures.some((f: any) => f.file === `figures/masks_L${s.best_level}.png`));
  const abl = readArrowFile(a.file('tables/ablation.arrow'));
  assert.equal(abl.numRows, 3 * 6);
  // Same config + inputs in a fresh store ⇒ byte-identical result files.
  const ex2 = await makeSyntheticExperiment(join(root, 'b'), TINY);
  const r2 = await runStage(analysisStage, {
    config: cfg,
    inputs: ex2.inputs,
    store: join(root, 'b'),
    log: quiet,
  });
  const b = await openArtifact(r2.outputs.analysis!.dir);
  assert.equal(b.manifest.id, a.manifest.id);
  assert.deepEqual(b.manifest.files, a.manifest.files);
  assert.ok(readFileSync(b.file('tables/levels.arrow')).equals(readFileSync(a.file('tables/levels.arrow'))));
});

test("pixelSpace 'stored' reads locality in the permuted order the net sees (the control), 'original' undoes it", async () => {
  const root = tempStore('imp-analysis-test-');
  const ex = await makeSyntheticExperiment(root, { ...TINY, levels: 4 });
  const run = async (pixelSpace?: string) => {
    const cfg = { nullSamples: 0, ablationLevels: [], ablationSizes: [0], ...(pixelSpace ? { pixelSpace } : {}) };
    const r = await runStage(analysisStage, { config: cfg, inputs: ex.inputs, store: root, log: quiet });
    return (await openArtifact(r.outputs.analysis!.dir)).manifest.summary as any;
  };
  const orig = await run();
  const stored = await run('stored');
  assert.equal(orig.pixel_space, 'original');
  assert.equal(stored.pixel_space, 'stored');
  assert.equal(stored.pixels_permuted, true, 'the data fact is reported either way');
  // The synthetic masks are local in the original space; a random permutation scatters them.
  assert.ok(orig.levels[3].locality_ratio > 1.3, `original ${orig.levels[3].locality_ratio}`);
  assert.ok(Math.abs(stored.levels[3].locality_ratio - 1) < 0.15, `stored ${stored.levels[3].locality_ratio}`);
  // Constant pixels are the same set, counted in either order.
  assert.equal(stored.constant_pixels, orig.constant_pixels);
  // In-degrees do not depend on where the inputs are placed.
  assert.equal(stored.levels[3].cin_mean, orig.levels[3].cin_mean);
});

test('remapping a permuted mask back to original pixel space restores its maps', () => {
  const D = 3 * 6 * 6;
  const perm = Int32Array.from({ length: D }, (_, i) => (i * 37 + 11) % D); // x_stored[i] = x_orig[perm[i]]
  const orig = new Uint8Array(D * 4);
  for (let j = 0; j < 4; j++) for (const p of [7 + j, 8 + j, 13 + j, 50 + j]) orig[p * 4 + j] = 1;
  const stored = new Uint8Array(D * 4);
  for (let i = 0; i < D; i++) for (let j = 0; j < 4; j++) stored[i * 4 + j] = orig[perm[i]! * 4 + j]!;
  const back = remapInputs(connectivityFromMask(stored, D, 4), perm);
  assert.deepEqual(Array.from(back.bits), Array.from(connectivityFromMask(orig, D, 4).bits));
  const g = { channels: 3, height: 6, width: 6 };
  assert.deepEqual(
    Array.from(computeSMaps(back, g)[0]!.sc.data),
    Array.from(computeSMaps(connectivityFromMask(orig, D, 4), g)[0]!.sc.data),
  );
  assert.deepEqual(Array.from(inDegrees(back)), [4, 4, 4, 4]);
});

test('analysis config: an old snake_case key names its new camelCase key', async () => {
  await assert.rejects(
    runStage(analysisStage, { config: { top_n: 3 }, inputs: {}, store: tempStore(), log: quiet }),
    /analysis config: .*'top_n' was renamed to 'topN'/,
  );
});

test('analysis needs a dense first layer W1 [D, h1]: a conv kernel first is one clear error', async () => {
  const root = tempStore('imp-analysis-test-');
  const ex = await makeSyntheticExperiment(root, { ...TINY, levels: 2, permute: false });
  const conv = await writeFakeParams(root, {
    arch: 'c8:x',
    inputDim: 300,
    numClasses: 3,
    tensors: [{ name: 'W1', shape: [3, 3, 3, 8], data: new Float32Array(216) }],
  });
  const inputs = { ...ex.inputs, 'params.L0': conv.dir };
  await assert.rejects(
    runStage(analysisStage, { config: {}, inputs, store: root, log: quiet }),
    /params\.L0: the analysis needs a dense first layer W1 of shape \[D, h1\] over the D = 300 input pixels \(3×10×10\); got: .*c8/,
  );
  assert.ok(!readdirSync(root).some((d) => d.startsWith('analysis-')), 'no analysis artifact written');
});
