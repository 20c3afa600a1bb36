/**
 * Small HTML helpers: every page is a static, self-contained document (no network; its
 * only scripts are the copied vega bundles that make the charts interactive).
 */

export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A relative URL for a path inside (or beside) an artifact: each segment is
 * percent-encoded so odd file names still resolve over file:// and http.
 */
export function relUrl(path: string): string {
  return path
    .split('/')
    .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s)))
    .join('/');
}

/** Formats a scalar for a table cell; missing or non-finite values show as an en dash. */
export function fmt(v: unknown, digits = 4): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

/** u (fraction of surviving weights) as a percentage, as the paper's x-axis shows it (spec §5.1). */
export function fmtPercent(u: unknown): string {
  if (typeof u !== 'number' || !Number.isFinite(u)) return '–';
  const p = u * 100;
  return `${p >= 10 ? p.toFixed(1) : p >= 1 ? p.toFixed(2) : Number(p.toPrecision(3)).toString()} %`;
}

export const CSS = `
:root { --fg:#1d2330; --muted:#5b6473; --line:#dde1e8; --bg:#ffffff; --panel:#f6f7f9; --accent:#2457c5; --best:#fff4d6; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif; line-height: 1.5; }
main { max-width: 1280px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
header.page { border-bottom: 3px solid var(--accent); margin-bottom: 1.25rem; padding-bottom: .5rem; }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
p.sub, .muted { color: var(--muted); }
p.sub { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
nav.toc { font-size: .9rem; margin: .5rem 0 0; }
nav.toc a { margin-right: 1rem; }
.notes { background: var(--panel); border-left: 4px solid var(--accent); padding: .6rem 1rem; margin: 1rem 0; white-space: pre-wrap; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: .75rem 0 1rem; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem; min-width: 10rem; }
.card .k { font-size: .8rem; color: var(--muted); letter-spacing: .02em; }
.card .v { font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: right; font-variant-numeric: tabular-nums; }
th { background: var(--panel); font-weight: 600; }
td.l, th.l { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.best td { background: var(--best); font-weight: 600; }
.scroll { overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: .5rem; background: #fff; }
.chart img { width: 100%; height: auto; }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1.25rem; }
.figs.compact { grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: .75rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; background: #fff; }
/* Figures at their own size (the analysis stage already scales maps and grids), never wider than the card;
   small rasters (maps, 32x32 pixel maps) are enlarged with crisp pixels. */
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; background: #fff; }
figure img.pixel { width: min(100%, 420px); image-rendering: pixelated; }
/* A thin frame around rasters (mask grids, pixel maps): an all-white or all-black image is still visibly an image. */
figure img.raster { border: 1px solid #5b6473; }
.vl-live { overflow-x: auto; }
.vl.ready .vl-fallback { display: none; }
.vl-live .vega-bindings { font-size: .85rem; margin: .25rem 0; }
.chart figure { border: 0; padding: 0; }
details.table-decl { margin: .4rem 0; }
details.table-decl table { margin-left: 1.2rem; }
abbr { text-decoration: none; border-bottom: 1px dotted var(--muted); cursor: help; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .4rem; }
figcaption b { color: var(--fg); }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; overflow-x: auto; font-size: .82rem; line-height: 1.4; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .85em; }
.grid-compare { display: grid; gap: 1rem; align-items: start; }
.grid-compare .colhead { font-weight: 600; text-align: center; padding: .3rem; background: var(--panel); border-radius: 4px; }
.grid-compare .rowhead { font-weight: 600; margin: .5rem 0 -.25rem; }
.missing { color: var(--muted); font-style: italic; border: 1px dashed var(--line); border-radius: 6px; padding: 2rem 1rem; text-align: center; }
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted); border-top: 1px solid var(--line); padding-top: .5rem; }
`;

export function page(opts: { title: string; body: string; tail?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${opts.body}
</main>
${opts.tail ?? ''}
</body>
</html>
`;
}

/** A plain table; cells are pre-escaped HTML. `left` marks left-aligned (text) columns. */
export function table(
  head: string[],
  rows: string[][],
  opts: { left?: number[]; rowClass?: (i: number) => string } = {},
): string {
  const left = new Set(opts.left ?? []);
  const cls = (j: number) => (left.has(j) ? ' class="l"' : '');
  return `<div class="scroll"><table>
<thead><tr>${head.map((h, j) => `<th${cls(j)}>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((r, i) => `<tr${opts.rowClass?.(i) ? ` class="${opts.rowClass(i)}"` : ''}>${r.map((c, j) => `<td${cls(j)}>${c}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`;
}
