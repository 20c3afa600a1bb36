import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openArtifact, runStage } from '@imp/artifacts';
import { quiet, tempStore } from '@imp/artifacts/testing';
import { compareStage, reportStage } from './stage.ts';
import { pickFigure } from './compare-stage.ts';
import { fixtureAnalysis } from './test-fixtures.ts';

const links = (html: string) =>
  [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => decodeURIComponent(m[1]!));

test('compare: reports and analyses side by side, ordered, with key figures copied in', async () => {
  const store = tempStore('imp-compare-');
  const sup = await fixtureAnalysis(store, { name: 'superclasses', baseAcc: 0.35, gain: 0.1, scale: 3 });
  const mod = await fixtureAnalysis(store, { name: 'modulo', baseAcc: 0.25, gain: 0.03, scale: 8 });
  const rep = await runStage(reportStage, {
    config: { experiment: 'superclasses-10' },
    inputs: { analysis: sup.dir },
    store,
    log: quiet,
  });
  const r = await runStage(compareStage, {
    config: {
      title: 'Semantics',
      grouping: 'superclasses vs modulo',
      order: ['super', 'modulo'],
      labels: { modulo: 'modulo classes' },
    },
    inputs: { 'report.super': rep.outputs.report!.dir, 'analysis.modulo': mod.dir },
    store,
    log: quiet,
  });
  const c = await openArtifact(r.outputs.compare!.dir, { kind: 'report' });
  assert.equal(c.manifest.stage, 'compare');
  const html = readFileSync(c.file('index.html'), 'utf8');
  // Column order follows `order`; labels from config, else from the report's experiment name.
  assert.ok(html.indexOf('superclasses-10') < html.indexOf('modulo classes'));
  assert.ok(html.includes('superclasses vs modulo'));
  // Overlaid curves: the analyses' own specs with the rows of both experiments, one colour each.
  const acc = JSON.parse(readFileSync(c.file('figures/curves/accuracy_vs_u.vl.json'), 'utf8'));
  assert.deepEqual(
    [...new Set(acc.datasets.points.map((p: { experiment: string }) => p.experiment))],
    ['superclasses-10', 'modulo classes'],
  );
  assert.equal(acc.encoding.color.field, 'experiment');
  assert.ok(readFileSync(c.file('figures/curves/accuracy_vs_u.svg'), 'utf8').startsWith('<svg'));
  for (const id of ['accuracy_vs_u', 'locality_vs_u', 'rhalf_vs_u', 'ipr_vs_u'])
    assert.ok(html.includes(`id="chart-${id}"`), id);
  // Key figures: S^sc, masks, weighted masks (from the evolution series) and C^in found for both.
  assert.ok(c.manifest.files.some((f) => f.path.startsWith('figures/super/ssc_L')));
  assert.ok(c.manifest.files.some((f) => f.path.startsWith('figures/modulo/masks_L')));
  assert.equal(
    (html.match(/no matching figure/g) ?? []).length,
    2,
    'only the per-pixel map is missing (fixture has none)',
  );
  for (const l of links(html)) {
    assert.ok(!/^[a-z]+:/i.test(l), `relative link: ${l}`);
    assert.ok(existsSync(resolve(c.dir, l)), `link resolves: ${l}`);
  }
  assert.ok(html.includes(`../${rep.outputs.report!.dir.split('/').pop()}/index.html`), 'links to the report page');
  const s = c.manifest.summary as { experiments: { name: string; best_val_top1: number }[] };
  assert.deepEqual(
    s.experiments.map((e) => e.name),
    ['super', 'modulo'],
  );
});

test('compare: errors name the problem', async () => {
  const store = tempStore('imp-compare-');
  const a = await fixtureAnalysis(store, { name: 'x', levels: 3 });
  await assert.rejects(
    runStage(compareStage, { config: {}, inputs: {}, store, log: quiet }),
    /at least one report\.<name> or analysis\.<name>/,
  );
  await assert.rejects(
    runStage(compareStage, { config: { order: ['nope'] }, inputs: { 'analysis.x': a.dir }, store, log: quiet }),
    /order names nope/,
  );
  await assert.rejects(
    runStage(compareStage, {
      config: { keyFigures: [{ label: 'x', match: '(' }] },
      inputs: { 'analysis.x': a.dir },
      store,
      log: quiet,
    }),
    /not a valid regular expression/,
  );
});

test('pickFigure prefers the best level, then level-less figures', () => {
  const figs = [
    { file: 'figures/ssc_L0.png', title: 'S^sc map', caption: '', level: 0 },
    { file: 'figures/ssc.svg', title: 'S^sc all', caption: '' },
    { file: 'figures/ssc_L4.png', title: 'S^sc map', caption: '', level: 4 },
  ];
  assert.equal(pickFigure(figs, { match: 'ssc', level: 'best' }, 4)!.file, 'figures/ssc_L4.png');
  assert.equal(pickFigure(figs, { match: 'ssc', level: 'best' }, 7)!.file, 'figures/ssc.svg');
  assert.equal(pickFigure(figs, { match: 'ssc', level: 0 }, 4)!.file, 'figures/ssc_L0.png');
  assert.equal(pickFigure(figs, { match: 'mask', level: 'any' }, 4), null);
});
