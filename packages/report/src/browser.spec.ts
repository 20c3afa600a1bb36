/**
 * Opens the report and comparison pages in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core) over file://, as a reader would open
 * them from the artifact store, and checks that every figure loads, nothing
 * errors, and nothing is fetched from the network. Saves full-page screenshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runStage } from '@imp/artifacts';
import { compareStage, reportStage } from './stage.ts';
import { fixtureAggregate, fixtureAnalysis } from './test-fixtures.ts';

const CHROMIUM = process.env.IMP_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface ImgState {
  src: string;
  complete: boolean;
  w: number;
  h: number;
}

test(
  'report and compare pages render in headless Chromium: all figures load, no console errors',
  { timeout: 50_000 },
  async (t) => {
    if (!existsSync(CHROMIUM)) {
      const msg = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set IMP_CHROMIUM)`;
      console.log(msg);
      t.skip(msg);
      return;
    }
    const { chromium } = await import('playwright-core');
    const root = mkdtempSync(join(tmpdir(), 'imp-report-browser-'));
    const store = join(root, 'store');
    mkdirSync(store);
    // Keep the screenshots (printed below); drop the store.
    t.after(() => rmSync(store, { recursive: true, force: true }));

    const names = ['superclasses', 'modulo', 'data-30pct'];
    const reports: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      const seedsOf = name === 'modulo' ? 3 : 1; // one experiment over seeds: its curves are bands
      const analyses = [];
      for (let s = 0; s < seedsOf; s++)
        analyses.push(
          await fixtureAnalysis(store, {
            name: s ? `${name}-s${s}` : name,
            levels: 8,
            baseAcc: 0.32 - i * 0.04 + s * 0.01,
            gain: 0.1 - i * 0.03,
            scale: 3 + i * 3 + s,
          }),
        );
      const a = analyses[0]!;
      const agg = seedsOf > 1 ? await fixtureAggregate(store, analyses) : undefined;
      const r = await runStage(reportStage, {
        config: {
          title: `IMP locality — ${name}`,
          experiment: name,
          experimentConfig: {
            name,
            arch: 'f1024:x',
            dataset: { superclasses: i === 0, fraction: i === 2 ? 0.3 : 1 },
            imp: { rate: 0.3, levels: 8 },
          },
          notes: 'Synthetic fixture data, not a real run.',
        },
        inputs: { analysis: a.dir, ...(agg ? { aggregate: agg.dir } : {}) },
        store,
        log: () => {},
      });
      reports[name] = r.outputs.report!.dir;
    }
    const cmp = await runStage(compareStage, {
      config: {
        title: 'Semantics and data size',
        grouping: 'superclasses vs modulo vs 30 % data',
        notes: 'Synthetic fixture data.',
      },
      inputs: Object.fromEntries(names.map((n) => [`report.${n}`, reports[n]!])),
      store,
      log: () => {},
    });

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const pages: [string, string][] = [
        ['report', join(reports.superclasses!, 'index.html')],
        ['report-seeds', join(reports.modulo!, 'index.html')],
        ['compare', join(cmp.outputs.compare!.dir, 'index.html')],
      ];
      for (const [label, file] of pages) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
        page.on('request', (r) => {
          if (!r.url().startsWith('file:') && !r.url().startsWith('data:'))
            problems.push(`network request: ${r.url()}`);
        });
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

        const imgs: ImgState[] = await page.$$eval('img', (els: any[]) =>
          els.map((i) => ({ src: i.getAttribute('src'), complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })),
        );

        const objects: number = await page.$$eval('object', (els: any[]) => els.length);
        assert.ok(imgs.length > 0, `${label}: page shows figures`);
        assert.equal(objects, 0, `${label}: figures are <img> (checkable, no plugins)`);
        for (const i of imgs)
          assert.ok(i.complete && i.w > 0 && i.h > 0, `${label}: figure ${i.src} loaded (naturalWidth ${i.w})`);

        // Interactive charts: vega-embed (copied next to the page) renders every declared spec.
        const cells: number = await page.$$eval('.vl[data-spec]', (els: any[]) => els.length);
        assert.ok(cells >= 4, `${label}: ${cells} interactive charts declared`);
        await page.waitForFunction(
          (n: number) => (globalThis as any).document.querySelectorAll('.vl.ready').length === n,
          cells,
          {
            timeout: 20_000,
          },
        );
        const live: number = await page.$$eval(
          '.chart .vl.ready .vl-live svg.marks',
          (els: any[]) => els.filter((e) => e.getBoundingClientRect().width > 200).length,
        );
        assert.equal(live, 4, `${label}: four curves rendered by vega-embed and laid out`);
        // Over seeds, the curves carry their confidence bands (area marks), on the page and in the overlay.
        const bands: number = await page.$$eval(
          '.chart .vl.ready .vl-live svg g.mark-area path',
          (els: any[]) => els.length,
        );
        if (label === 'report') assert.equal(bands, 0, `${label}: one seed, no bands`);
        else assert.ok(bands >= 4, `${label}: ${bands} confidence bands drawn`);
        const fallbacksHidden: boolean = await page.$$eval('.vl.ready .vl-fallback', (els: any[]) =>
          els.every((e) => (globalThis as any).getComputedStyle(e).display === 'none'),
        );
        assert.ok(fallbacksHidden, `${label}: static fallbacks replaced`);
        assert.deepEqual(problems, [], `${label}: no console errors, failed or network requests`);
        const shot = join(root, `${label}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        await page.screenshot({ path: join(root, `${label}-top.png`) });
        console.log(`screenshot (${label}, ${imgs.length} figures): ${shot} (first screen: ${label}-top.png)`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  },
);
