import type { ColumnEntry, LevelRow, TableEntry } from './analysis-summary.ts';
import { intervalOf, type AggregateSummary, type ExperimentStat } from './aggregate-summary.ts';
import { figureHtml, type PlacedFigure } from './figures.ts';
import { esc, fmt, fmtPercent, page, relUrl, table } from './html.ts';
import type { PageSpecs } from './interactive.ts';
import { lineageTable, type LineageRow } from './lineage.ts';

export interface ReportModel {
  title: string;
  experiment: string;
  notes: string;
  experimentConfig: Record<string, unknown>;
  analysisConfig: unknown;
  analysisDir: string;
  analysisId: string;
  analysisCodeVersion: string;
  levels: LevelRow[];
  /** The per-level columns as the analysis declares them. */
  levelColumns: ColumnEntry[];
  bestLevel: number | null;
  figures: PlacedFigure[];
  tables: TableEntry[];
  lineage: LineageRow[];
  /** Spec ids of the figures drawn interactively (by figure file). */
  specIds: Map<string, string>;
  specs: PageSpecs;
  scripts: string[];
  /** Several seeds: the aggregate (numbers are its means, with intervals). */
  seeds?: { summary: AggregateSummary; dir: string };
}

const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(2)} %` : '–');

const half = (ci: [number, number] | null) => (ci ? (ci[1] - ci[0]) / 2 : null);

/** `mean ± half-width` of an experiment scalar over seeds (the half-width of its interval). */
function statText(st: ExperimentStat | undefined, f: (v: unknown) => string, fh = f): string {
  if (!st || typeof st.mean !== 'number') return '–';
  const h = typeof st.ci_lo === 'number' && typeof st.ci_hi === 'number' ? (st.ci_hi - st.ci_lo) / 2 : null;
  return h === null ? f(st.mean) : `${f(st.mean)} <span class="muted">± ${fh(h)}</span>`;
}

/** Key numbers over seeds: each a mean with the half-width of its interval (spec §5.1's headline gain included). */
function seedCards(m: ReportModel, agg: AggregateSummary): string {
  const e = agg.experiment;
  const best = m.levels.find((l) => l.level === m.bestLevel);
  const ci = m.bestLevel === null ? null : intervalOf(agg, m.bestLevel, 'locality_ratio');
  const c = (k: string, v: string) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${v}</div></div>`;
  const signed = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %` : '–';
  return `<div class="cards">
${c('seeds', `${agg.seeds.length} <span class="muted">(${agg.seeds.join(', ')})</span>`)}
${c('levels', String(m.levels.length))}
${c('peak val. top-1', statText(e.peak_val_top1, pct))}
${c('u at peak', statText(e.u_at_peak, fmtPercent))}
${c('dense val. top-1', statText(e.dense_val_top1, pct))}
${c(
  'gain over dense',
  statText(e.gain_over_dense_rel, signed, (v) => signed(v).replace('+', '')),
)}
${c(`locality ratio at level ${m.bestLevel ?? '–'}`, `${fmt(best?.locality_ratio, 3)}${ci ? ` <span class="muted">± ${fmt(half(ci), 2)}</span>` : ''}`)}
</div>
<p class="muted">Means over ${agg.seeds.length} seeds ± the half-width of their ${Math.round(agg.confidence * 100)} % confidence interval (Student t, ${agg.seeds.length - 1} df); peak, u at the peak and gain are taken per seed, then averaged. Figures other than the curves show seed ${agg.seeds[0]}.</p>`;
}

/** Key-number cards: the paper's headline is the accuracy gain of the best ticket over the dense net (spec §5.1). */
function cards(m: ReportModel): string {
  if (m.seeds) return seedCards(m, m.seeds.summary);
  const best = m.levels.find((l) => l.level === m.bestLevel);
  const dense = m.levels.find((l) => l.level === 0);
  const gain =
    best &&
    dense &&
    typeof best.best_val_top1 === 'number' &&
    typeof dense.best_val_top1 === 'number' &&
    dense.best_val_top1 > 0
      ? `${best.best_val_top1 >= dense.best_val_top1 ? '+' : ''}${(((best.best_val_top1 - dense.best_val_top1) / dense.best_val_top1) * 100).toFixed(1)} %`
      : '–';
  const c = (k: string, v: string) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${v}</div></div>`;
  return `<div class="cards">
${c('levels', String(m.levels.length))}
${c('best level', m.bestLevel === null ? '–' : String(m.bestLevel))}
${c('u at best', fmtPercent(best?.u))}
${c('best val. top-1', pct(best?.best_val_top1))}
${c('dense val. top-1', pct(dense?.best_val_top1))}
${c('gain over dense', gain)}
${c('locality ratio at best', fmt(best?.locality_ratio, 3))}
</div>`;
}

/** Formats one declared column's cell: percentages, integers, or 4 significant digits. */
export function cell(c: Pick<ColumnEntry, 'type' | 'format'>, v: unknown): string {
  if (c.format === 'percent') return pct(v);
  if (typeof v === 'string') return esc(v);
  if (c.type === 'int' && typeof v === 'number' && Number.isInteger(v)) return String(v);
  return fmt(v, 4);
}

/** The per-level table: one column per scalar the analysis declares, its description as the header tooltip. */
export function levelsTable(
  levels: LevelRow[],
  columns: ColumnEntry[],
  bestLevel: number | null,
  agg?: AggregateSummary,
): string {
  const cols = columns.filter((c) => c.name !== 'level');
  // Over seeds: mean ± the half-width of its interval, in the column's own format.
  const show = (c: ColumnEntry, l: LevelRow) => {
    const v = cell(c, (l as Record<string, unknown>)[c.name]);
    const h = agg ? half(intervalOf(agg, l.level, c.name)) : null;
    return h === null ? v : `${v} <span class="muted">± ${cell(c, h)}</span>`;
  };
  return table(
    ['level', ...cols.map((c) => `<abbr title="${esc(c.description || c.name)}">${esc(c.name)}</abbr>`)],
    levels.map((l) => [String(l.level) + (l.level === bestLevel ? ' ★' : ''), ...cols.map((c) => show(c, l))]),
    { rowClass: (i) => (levels[i]!.level === bestLevel ? 'best' : '') },
  );
}

/** The sub-folder of figures/ a figure sits in (e.g. `evolution`), or null. */
const folderOf = (f: PlacedFigure) => {
  const parts = f.file.split('/');
  return parts.length > 2 ? parts[1]! : null;
};

/**
 * Figures without a level first (cross-level plots), then per level with the best
 * level first, then figure series kept in a sub-folder (e.g. the mask evolution
 * across levels, spec §5.3), which read as one sequence rather than per level.
 */
const card = (m: ReportModel, f: PlacedFigure) => figureHtml(f, { specId: m.specIds.get(f.file) });

/** Curves: the analysis' per-level scalars against u (spec §5.1–5.2), whatever measures declare them. */
export const isCurve = (f: PlacedFigure) => f.kind === 'metric-vs-u' && f.level === null;

function figureSections(m: ReportModel): string {
  if (!m.figures.some((f) => !isCurve(f))) return '<p class="muted">The analysis artifact lists no figures.</p>';
  type Key = { id: string; head: string; figs: PlacedFigure[]; rank: number };
  const sections = new Map<string, Key>();
  const add = (id: string, head: string, rank: number, f: PlacedFigure) => {
    if (!sections.has(id)) sections.set(id, { id, head, figs: [], rank });
    sections.get(id)!.figs.push(f);
  };
  for (const f of m.figures.filter((x) => !isCurve(x))) {
    const folder = folderOf(f);
    if (folder) add(`series-${folder}`, `${folder[0]!.toUpperCase()}${folder.slice(1)} across levels`, 3e6, f);
    else if (f.level === null) add('level-all', 'Across levels', -2, f);
    else {
      const lvl = m.levels.find((l) => l.level === f.level);
      const best = f.level === m.bestLevel;
      add(
        `level-${f.level}`,
        `Level ${f.level}${lvl ? ` — u = ${fmtPercent(lvl.u)}` : ''}${best ? ' (best level)' : ''}`,
        best ? -1 : f.level,
        f,
      );
    }
  }
  const list = [...sections.values()].sort((a, b) => a.rank - b.rank);
  for (const sct of list) if (sct.id.startsWith('series-')) sct.figs.sort((a, b) => (a.level ?? -1) - (b.level ?? -1));
  const short = (x: Key) => x.head.replace(/ — u = .*?(?=( \(|$))/, '');
  const jump =
    list.length > 2
      ? `<nav class="toc">Jump to: ${list.map((x) => `<a href="#${x.id}">${esc(short(x))}</a>`).join('')}</nav>\n`
      : '';
  return (
    jump +
    list
      .map((x) => {
        const compact = x.id.startsWith('series-') ? ' compact' : '';
        return `<h3 id="${x.id}">${esc(x.head)}</h3>\n<div class="figs${compact}">\n${x.figs.map((f) => card(m, f)).join('\n')}\n</div>`;
      })
      .join('\n')
  );
}

/** One declared table: links to its Arrow file and Parquet twin, and its columns with their descriptions. */
function tableEntryHtml(analysisDir: string, t: TableEntry): string {
  const parquet = typeof t.parquet === 'string' ? t.parquet : null;
  const extra = [
    typeof t.rows === 'number' ? `${t.rows} rows` : '',
    parquet ? `Parquet: <a href="${relUrl(`../${analysisDir}/${parquet}`)}"><code>${esc(parquet)}</code></a>` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const head = `<a href="${relUrl(`../${analysisDir}/${t.file}`)}"><code>${esc(t.file)}</code></a>${t.title ? ` — ${esc(t.title)}` : ''}${extra ? ` <span class="muted">(${extra})</span>` : ''}`;
  if (!t.columns?.length) return `<p>${head}</p>`;
  return `<details class="table-decl"><summary>${head}</summary>
${table(
  ['column', 'type', 'description'],
  t.columns.map((c) => [`<code>${esc(c.name)}</code>`, esc(c.type), esc(c.description)]),
  { left: [0, 1, 2] },
)}
</details>`;
}

export function renderReport(m: ReportModel): string {
  const curves = m.figures.filter(isCurve);
  const tables = m.tables.length
    ? `${m.tables.map((t) => tableEntryHtml(m.analysisDir, t)).join('\n')}
<p class="muted">Tables stay in the analysis artifact (Arrow IPC and Parquet, readable by pyarrow, polars and DuckDB).</p>`
    : '<p class="muted">The analysis artifact lists no tables.</p>';
  const body = `<header class="page">
<h1>${esc(m.title)}</h1>
<p class="sub">Experiment <b>${esc(m.experiment)}</b> · IMP on a fully connected network, locality of the surviving first-layer connectivity (Pellegrini &amp; Biroli, ICML 2022) · analysis <a href="${relUrl(`../${m.analysisDir}/manifest.json`)}"><code>${esc(m.analysisDir)}</code></a>${m.seeds ? ` (seed ${m.seeds.summary.seeds[0]}) · over ${m.seeds.summary.seeds.length} seeds: aggregate <a href="${relUrl(`../${m.seeds.dir}/manifest.json`)}"><code>${esc(m.seeds.dir)}</code></a>` : ''}</p>
<nav class="toc"><a href="#numbers">Key numbers</a><a href="#curves">Curves</a><a href="#figures">Figures</a><a href="#tables">Tables</a><a href="#config">Configuration</a><a href="#lineage">Lineage</a></nav>
</header>
${m.notes ? `<div class="notes">${esc(m.notes)}</div>` : ''}
<section id="numbers">
<h2>Key numbers</h2>
${cards(m)}
${m.levels.length ? levelsTable(m.levels, m.levelColumns, m.bestLevel, m.seeds?.summary) : '<p class="muted">The analysis artifact lists no levels.</p>'}
<p class="muted">One column per scalar the analysis declares (hover a header for its definition; spec §4). u = fraction of prunable weights still unpruned (0.7^level for IMP at 30 % per level); ★ = best level (highest best val. top-1).</p>
</section>
<section id="curves">
<h2>Curves</h2>
${curves.length ? `<div class="charts">\n${curves.map((f) => `<div class="chart" id="chart-${esc(f.id ?? '')}">${card(m, f)}</div>`).join('\n')}\n</div>\n<p class="muted">Hover for values, scroll to zoom, drag to pan, double-click to reset. Squares mark the best level.</p>` : '<p class="muted">The analysis artifact declares no curves against u.</p>'}
</section>
<section id="figures">
<h2>Figures</h2>
${figureSections(m)}
</section>
<section id="tables">
<h2>Tables</h2>
${tables}
</section>
<section id="config">
<h2>Configuration</h2>
<h3>Experiment <code>${esc(m.experiment)}</code></h3>
<pre><code>${esc(JSON.stringify(m.experimentConfig, null, 2))}</code></pre>
<details><summary>Analysis stage config</summary>
<pre><code>${esc(JSON.stringify(m.analysisConfig, null, 2))}</code></pre>
</details>
</section>
<section id="lineage">
<h2>Lineage</h2>
<p class="muted">Artifacts this report was computed from (links resolve inside the artifact store, where every artifact sits beside this one).</p>
${lineageTable(m.lineage)}
</section>
<footer>analysis id <code>${esc(m.analysisId)}</code> · analysis code ${esc(m.analysisCodeVersion)}</footer>`;
  return page({ title: `${m.title} — ${m.experiment}`, body, tail: m.specs.html(m.scripts) });
}
