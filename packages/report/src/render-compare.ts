import type { LevelRow } from './analysis-summary.ts';
import { figureHtml, type PlacedFigure } from './figures.ts';
import { esc, fmt, fmtPercent, page, relUrl, table } from './html.ts';
import type { PageSpecs } from './interactive.ts';

export interface CompareExperiment {
  name: string;
  label: string;
  /** Store directory name of the input artifact. */
  dir: string;
  via: 'report' | 'analysis';
  /** Link to the experiment's own report page, if the input is a report. */
  page: string | null;
  levels: LevelRow[];
  bestLevel: number | null;
  /** One entry per configured key figure (null = no matching figure). */
  keyFigures: (PlacedFigure | null)[];
  /** Over seeds (a report with an aggregate): the seeds, and per level [lo, hi] of each metric. */
  seeds?: number[];
  levelCi?: Record<string, unknown>[];
}

/** ` ± half-width` of a metric's interval at a level, formatted like the value; '' without one. */
function plusMinus(e: CompareExperiment, level: number | null | undefined, key: string, f: (v: unknown) => string) {
  const v = e.levelCi?.find((r) => r.level === level)?.[key];
  return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number'
    ? ` <span class="muted">± ${f((v[1] - v[0]) / 2)}</span>`
    : '';
}

/** One overlaid curve (the same analysis chart of every experiment). */
export interface CompareCurve {
  id: string;
  title: string;
  caption: string;
  /** Static SVG fallback, relative to the page. */
  file: string;
  specId: string;
  /** Experiments that have this curve. */
  count: number;
}

export interface CompareModel {
  title: string;
  grouping: string;
  notes: string;
  keyFigureLabels: string[];
  experiments: CompareExperiment[];
  curves: CompareCurve[];
  specs: PageSpecs;
  scripts: string[];
}

const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(2)} %` : '–');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function headlineTable(m: CompareModel): string {
  return table(
    [
      'experiment',
      'input',
      'levels',
      'best level',
      'u at best',
      'dense val. top-1',
      'best val. top-1',
      'gain over dense',
      'locality ratio (dense → best)',
      'r½ at best',
    ],
    m.experiments.map((e) => {
      const b = e.levels.find((l) => l.level === e.bestLevel);
      const d = e.levels.find((l) => l.level === 0);
      const ba = num(b?.best_val_top1);
      const da = num(d?.best_val_top1);
      const gain =
        ba !== null && da !== null && da > 0 ? `${ba >= da ? '+' : ''}${(((ba - da) / da) * 100).toFixed(1)} %` : '–';
      const link = e.page ? relUrl(e.page) : relUrl(`../${e.dir}/manifest.json`);
      return [
        `<b>${esc(e.label)}</b>${e.label !== e.name ? ` <span class="muted">(${esc(e.name)})</span>` : ''}${e.seeds ? ` <span class="muted">(mean of ${e.seeds.length} seeds)</span>` : ''}`,
        `<a href="${link}">${e.via === 'report' ? 'report' : 'analysis'}</a>`,
        String(e.levels.length),
        e.bestLevel === null ? '–' : String(e.bestLevel),
        fmtPercent(b?.u),
        pct(d?.best_val_top1) + plusMinus(e, 0, 'best_val_top1', pct),
        pct(b?.best_val_top1) + plusMinus(e, e.bestLevel, 'best_val_top1', pct),
        gain,
        `${fmt(d?.locality_ratio, 3)} → ${fmt(b?.locality_ratio, 3)}${plusMinus(e, e.bestLevel, 'locality_ratio', (v) => fmt(v, 2))}`,
        fmt(b?.r_half, 3),
      ];
    }),
    { left: [0, 1] },
  );
}

/** Level-by-level values of one scalar, one column per experiment (levels align across IMP runs). */
function byLevelTable(m: CompareModel, key: keyof LevelRow, f: (v: unknown) => string): string {
  const levels = [...new Set(m.experiments.flatMap((e) => e.levels.map((l) => l.level)))].sort((a, b) => a - b);
  return table(
    ['level', 'u', ...m.experiments.map((e) => esc(e.label))],
    levels.map((lv) => {
      const u = m.experiments.map((e) => e.levels.find((l) => l.level === lv)?.u).find((x) => typeof x === 'number');
      return [
        String(lv),
        fmtPercent(u),
        ...m.experiments.map((e) => {
          const row = e.levels.find((l) => l.level === lv);
          const v = row ? f(row[key]) + plusMinus(e, lv, String(key), f) : '–';
          return lv === e.bestLevel ? `<b>${v} ★</b>` : v;
        }),
      ];
    }),
  );
}

function keyFigureGrid(m: CompareModel): string {
  const n = m.experiments.length;
  const cols = `repeat(${n}, minmax(${n > 4 ? 220 : 280}px, 1fr))`;
  const cells: string[] = m.experiments.map((e) => `<div class="colhead">${esc(e.label)}</div>`);
  m.keyFigureLabels.forEach((label, k) => {
    cells.push(`<div class="rowhead" style="grid-column: 1 / span ${n}">${esc(label)}</div>`);
    for (const e of m.experiments) {
      const f = e.keyFigures[k];
      cells.push(f ? figureHtml(f, { showLevel: true }) : `<div class="missing">no matching figure</div>`);
    }
  });
  return `<div class="scroll"><div class="grid-compare" style="grid-template-columns: ${cols}">\n${cells.join('\n')}\n</div></div>`;
}

export function renderCompare(m: CompareModel): string {
  const n = m.experiments.length;
  const charts = m.curves.map(
    (c) =>
      `<div class="chart" id="chart-${esc(c.id)}">${figureHtml(
        {
          file: c.file,
          title: c.title,
          caption: `${c.caption}${c.count < n ? ` (${c.count} of ${n} experiments have it)` : ''}`,
          level: null,
          pixel: false,
          raster: false,
        },
        { specId: c.specId },
      )}</div>`,
  );
  const body = `<header class="page">
<h1>${esc(m.title)}</h1>
<p class="sub">${m.grouping ? `Comparison: <b>${esc(m.grouping)}</b> · ` : ''}${m.experiments.length} experiments · IMP on fully connected networks, locality of the surviving connectivity (Pellegrini &amp; Biroli, ICML 2022)</p>
<nav class="toc"><a href="#numbers">Headline numbers</a><a href="#curves">Curves</a><a href="#by-level">By level</a><a href="#figures">Key figures</a></nav>
</header>
${m.notes ? `<div class="notes">${esc(m.notes)}</div>` : ''}
<section id="numbers">
<h2>Headline numbers</h2>
${headlineTable(m)}
<p class="muted">Best level = highest best val. top-1 over IMP levels; gain is relative to the dense network (level 0), the paper's headline comparison (spec §5.1, §5.4).</p>
</section>
<section id="curves">
<h2>Curves</h2>
${charts.length ? `<div class="charts">\n${charts.join('\n')}\n</div>` : '<p class="muted">The inputs declare no curves against u.</p>'}
<p class="muted">One colour per experiment, drawn from each analysis' own chart specs; squares mark each experiment's best level. u on a reversed log axis, as in the paper. Hover for values, scroll to zoom.</p>
</section>
<section id="by-level">
<h2>By level</h2>
<h3>Best val. top-1 accuracy</h3>
${byLevelTable(m, 'best_val_top1', pct)}
<h3>Locality ratio</h3>
${byLevelTable(m, 'locality_ratio', (v) => fmt(v, 3))}
</section>
<section id="figures">
<h2>Key figures</h2>
${keyFigureGrid(m)}
</section>
<footer>Inputs: ${m.experiments.map((e) => `<a href="${relUrl(`../${e.dir}/manifest.json`)}"><code>${esc(e.dir)}</code></a>`).join(' · ')}</footer>`;
  return page({ title: m.title, body, tail: m.specs.html(m.scripts) });
}
