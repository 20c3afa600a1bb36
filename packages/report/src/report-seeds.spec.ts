import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openArtifact, runStage } from '@imp/artifacts';
import { quiet, tempStore } from '@imp/artifacts/testing';
import { compareStage, reportStage } from './stage.ts';
import { fixtureAggregate, fixtureAnalysis } from './test-fixtures.ts';

/** Three seeds of one synthetic experiment (accuracy and locality differ a little by seed). */
async function seeds(store: string, name: string) {
  const out = [];
  for (let i = 0; i < 3; i++)
    out.push(await fixtureAnalysis(store, { name: `${name}-s${i}`, levels: 6, baseAcc: 0.3 + i * 0.01, scale: 4 + i }));
  return out;
}

const specsOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="imp-specs">(.*?)<\/script>/s.exec(html)![1]!) as Record<
    string,
    { layer?: { mark?: { type?: string } }[]; usermeta?: { bands?: unknown } }
  >;

test('report over seeds: curves become bands, numbers are means ± interval, the summary carries the means', async () => {
  const store = tempStore();
  const analyses = await seeds(store, 'imp');
  const agg = await fixtureAggregate(store, analyses);
  const r = await runStage(reportStage, {
    config: { experiment: 'imp' },
    inputs: { analysis: analyses[0]!.dir, aggregate: agg.dir },
    store,
    log: quiet,
  });
  const rep = await openArtifact(r.outputs.report!.dir, { kind: 'report' });
  const html = readFileSync(rep.file('index.html'), 'utf8');
  const specs = specsOf(html);
  const bands = Object.values(specs).filter((s) => s.usermeta?.bands);
  assert.equal(bands.length, 4, 'the four curves are band charts');
  for (const b of bands)
    assert.ok(
      b.layer!.some((l) => l.mark?.type === 'area'),
      'an area layer for the interval',
    );
  assert.equal((html.match(/<div class="chart"/g) ?? []).length, 4);
  assert.ok(html.includes('band: its 95 % confidence interval (Student t, 2 df)'));
  for (const f of ['accuracy_vs_u', 'locality_vs_u', 'rhalf_vs_u', 'ipr_vs_u']) {
    assert.ok(
      rep.manifest.files.some((x) => x.path === `figures/bands/${f}.svg`),
      `${f} static SVG`,
    );
    assert.ok(
      !rep.manifest.files.some((x) => x.path === `figures/${f}.svg`),
      `${f}: the one seed's line is not copied`,
    );
  }
  // Per-level figures are the first seed's.
  assert.ok(rep.manifest.files.some((x) => x.path === 'figures/masks_L0.png'));
  assert.match(html, /<div class="k">seeds<\/div><div class="v">3 /);
  assert.match(html, /± /);
  const s = rep.manifest.summary as { levels: { level: number; best_val_top1: number }[]; seeds: number[] };
  const aggLevels = (agg.manifest.summary as { levels: { best_val_top1: number }[] }).levels;
  assert.deepEqual(s.seeds, [0, 1, 2]);
  assert.equal(s.levels[2]!.best_val_top1, aggLevels[2]!.best_val_top1, 'the means, not seed 0');

  // A comparison of a multi-seed and a single-seed experiment draws the bands of the first.
  const single = await fixtureAnalysis(store, { name: 'one', levels: 6, baseAcc: 0.25 });
  const r1 = await runStage(reportStage, {
    config: { experiment: 'one' },
    inputs: { analysis: single.dir },
    store,
    log: quiet,
  });
  const c = await runStage(compareStage, {
    config: { order: ['one', 'imp'] },
    inputs: { 'report.one': r1.outputs.report!.dir, 'report.imp': r.outputs.report!.dir },
    store,
    log: quiet,
  });
  const page = readFileSync(`${c.outputs.compare!.dir}/index.html`, 'utf8');
  assert.match(page, /imp<\/b> <span class="muted">\(mean of 3 seeds\)<\/span>/);
  assert.match(page, /<span class="muted">± /);
  assert.doesNotMatch(page, /one<\/b> <span class="muted">\(mean/);
  const overlays = Object.values(specsOf(page)).filter((x) => x.usermeta?.bands);
  assert.equal(overlays.length, 4, 'every overlaid curve keeps the band layer');
});
