import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openArtifact, runStage, writeArtifact } from '@imp/artifacts';
import { quiet, tempStore } from '@imp/artifacts/testing';
import { reportStage } from './stage.ts';
import { fixtureAnalysis } from './test-fixtures.ts';

const cfg = {
  title: 'Fixture run',
  experiment: 'superclasses',
  experimentConfig: { arch: 'f300:f100:x', rate: 0.3 },
  notes: 'Synthetic data <not the paper>',
};

/** Every src/href in the page that is not an in-page anchor. */
const links = (html: string) =>
  [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => decodeURIComponent(m[1]!));

test('report: self-contained page with figures, numbers, config and resolvable lineage links', async () => {
  const store = tempStore('imp-report-');
  const analysis = await fixtureAnalysis(store, { name: 'a', levels: 6 });
  const r = await runStage(reportStage, { config: cfg, inputs: { analysis: analysis.dir }, store, log: quiet });
  assert.equal(r.skipped, false);
  const rep = await openArtifact(r.outputs.report!.dir, { kind: 'report' });
  const html = readFileSync(rep.file('index.html'), 'utf8');

  // Every figure copied into the artifact and shown.
  const figs = (analysis.manifest.summary.figures as { file: string }[]).map((f) => f.file);
  for (const f of figs) {
    const inReport = `figures/${f.replace(/^figures\//, '')}`;
    assert.ok(
      rep.manifest.files.some((e) => e.path === inReport),
      `${inReport} copied`,
    );
    assert.ok(html.includes(`src="${inReport}"`), `${inReport} shown`);
  }
  // No network: the only scripts are the copied vega bundles and the loader, plus the inlined specs.
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
  assert.ok(scripts.length >= 4, 'vega, vega-lite, vega-embed, loader');
  for (const a of scripts)
    assert.ok(/^ src="assets\/[a-z-]+(\.min)?\.js"$/.test(a) || a === ' type="application/json" id="imp-specs"', a);
  const specs = JSON.parse(/<script type="application\/json" id="imp-specs">(.*?)<\/script>/s.exec(html)![1]!);
  assert.equal(Object.keys(specs).length, 5, 'four curves and the C^in histogram are interactive');
  assert.ok(rep.manifest.files.some((e) => e.path === 'assets/vega-embed.min.js'));
  // Declared levels columns (with descriptions) and declared tables.
  assert.ok(html.includes('<abbr title="locality ratio vs the uniform null">locality_ratio</abbr>'));
  assert.ok(html.includes('class="table-decl"'));
  // Rasters are framed.
  assert.ok(
    /<img src="figures\/masks_L0\.png" alt="[^"]*" class="pixel raster">|<img src="figures\/masks_L0\.png" alt="[^"]*" class="raster">/.test(
      html,
    ),
  );
  for (const l of links(html)) assert.ok(!/^[a-z]+:/i.test(l), `relative link: ${l}`);
  // Every link resolves on disk (figures inside, lineage beside it in the store).
  for (const l of links(html)) assert.ok(existsSync(resolve(rep.dir, l)), `link resolves: ${l}`);
  assert.ok(html.includes(`../${analysis.dir.split('/').pop()}/manifest.json`));
  assert.ok(/mask\.L3/.test(html) && /dataset/.test(html), 'lineage lists upstream roles');
  // Key numbers and config.
  assert.ok(html.includes('<tr class="best">'));
  assert.ok(
    html.includes('id="series-evolution"') && html.indexOf('id="series-evolution"') > html.indexOf('id="level-0"'),
    'sub-folder series last',
  );
  assert.ok(html.includes('f300:f100:x'));
  assert.ok(html.includes('Synthetic data &lt;not the paper&gt;'), 'notes escaped');
  assert.equal((html.match(/<div class="chart"/g) ?? []).length, 4);
  const s = rep.manifest.summary as { best_level: number; levels: unknown[]; figures: { file: string }[] };
  assert.equal(s.levels.length, 6);
  assert.equal(s.best_level, analysis.manifest.summary.best_level);
  assert.ok(s.figures.every((f) => f.file.startsWith('figures/')));

  // Deterministic: the same inputs and config give byte-identical files.
  const again = await runStage(reportStage, { config: cfg, inputs: { analysis: analysis.dir }, store, log: quiet });
  assert.equal(again.skipped, true);
  const store2 = tempStore('imp-report-');
  const a2 = await fixtureAnalysis(store2, { name: 'a', levels: 6 });
  const r2 = await runStage(reportStage, { config: cfg, inputs: { analysis: a2.dir }, store: store2, log: quiet });
  const m2 = (await openArtifact(r2.outputs.report!.dir)).manifest;
  assert.deepEqual(m2.files, rep.manifest.files);
});

test('report: a figure missing from the analysis manifest is an error naming it', async () => {
  const store = tempStore('imp-report-');
  const { artifact } = await writeArtifact(
    { kind: 'analysis', role: 'analysis', stage: 'analysis', algoVersion: 'x', config: {}, upstream: {} },
    async () => ({ summary: { levels: [{ level: 0, u: 1 }], figures: [{ file: 'figures/nope.svg', title: 'x' }] } }),
    store,
  );
  await assert.rejects(
    runStage(reportStage, { config: {}, inputs: { analysis: artifact.dir }, store, log: quiet }),
    /nope\.svg/,
  );
});

test('report: tolerates missing scalars and no figures; rejects a malformed summary by field', async () => {
  const store = tempStore('imp-report-');
  const mk = async (summary: Record<string, unknown>, tag: string) =>
    (
      await writeArtifact(
        { kind: 'analysis', role: 'analysis', stage: 'analysis', algoVersion: 'x', config: { tag }, upstream: {} },
        async () => ({ summary }),
        store,
      )
    ).artifact;
  const sparse = await mk(
    {
      levels: [
        { level: 1, u: 0.7, best_val_top1: null },
        { level: 0, u: 1, best_val_top1: 0.2 },
      ],
    },
    'sparse',
  );
  const r = await runStage(reportStage, { config: {}, inputs: { analysis: sparse.dir }, store, log: quiet });
  const html = readFileSync(join(r.outputs.report!.dir, 'index.html'), 'utf8');
  assert.ok(html.includes('lists no figures'));
  assert.ok(!html.includes('NaN'));
  const bad = await mk({ levels: [{ u: 1 }] }, 'bad');
  await assert.rejects(
    runStage(reportStage, { config: {}, inputs: { analysis: bad.dir }, store, log: quiet }),
    /levels\.0\.level/,
  );
  assert.ok(dirname(bad.dir) === store);
});
