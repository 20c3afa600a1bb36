import { esc } from './html.ts';

/**
 * Line charts as standalone SVG text (no JS, no fonts to fetch), for the
 * "best val. accuracy vs u" style plots of the paper (spec §5.1: x = percentage
 * of unpruned weights, log scale, reversed so pruning proceeds to the right).
 */

export interface Series {
  label: string;
  points: { x: number; y: number | null | undefined }[];
  /** Index of the point to ring (e.g. the best level). */
  highlight?: number;
  dashed?: boolean;
  color?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  /** Reverse the x axis (largest value on the left). */
  xReversed?: boolean;
  yLog?: boolean;
  width?: number;
  height?: number;
  /** Format x tick labels (default: the number). */
  xTickFormat?: (v: number) => string;
  yTickFormat?: (v: number) => string;
}

/** Okabe–Ito palette: distinguishable for colour-blind readers, prints well. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** "Nice" linear ticks (1, 2, 5 × 10^k steps). */
export function linearTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Log ticks at 1, 2, 5 × 10^k when the range is short, else at powers of ten. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const mults = Math.log10(hi / lo) <= 2.2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = a; e <= b; e++)
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  return out.length >= 2 ? out : [lo, hi];
}

const defaultFmt = (v: number) => {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toExponential(0);
  return Number(v.toPrecision(4)).toString();
};

export function lineChartSvg(series: Series[], o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 340;
  const legendRows = series.length > 1 ? Math.ceil(series.length / 3) : 0;
  const m = { l: 62, r: 16, t: 30 + legendRows * 16, b: 46 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;

  const pts = series.flatMap((s) =>
    s.points.filter((p) => isNum(p.x) && isNum(p.y) && (!o.xLog || p.x > 0) && (!o.yLog || (p.y as number) > 0)),
  );
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12" role="img" aria-label="${esc(o.title)}">
<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600" fill="#1d2330">${esc(o.title)}</text>`;
  if (pts.length === 0)
    return `${head}\n<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#5b6473">no data</text>\n</svg>\n`;

  let [x0, x1] = [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x))];
  let [y0, y1] = [Math.min(...pts.map((p) => p.y as number)), Math.max(...pts.map((p) => p.y as number))];
  // Pad degenerate or tight ranges so a single point or a flat line still has axes.
  if (o.xLog) [x0, x1] = x0 === x1 ? [x0 / 2, x1 * 2] : [x0 / 1.15, x1 * 1.15];
  else if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (o.yLog) [y0, y1] = y0 === y1 ? [y0 / 2, y1 * 2] : [y0 / 1.15, y1 * 1.15];
  else {
    const pad = y1 === y0 ? Math.max(Math.abs(y0) * 0.1, 0.01) : (y1 - y0) * 0.08;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const xt = o.xLog ? logTicks(x0, x1) : linearTicks(x0, x1);
  const yt = o.yLog ? logTicks(y0, y1) : linearTicks(y0, y1);
  const fx = (v: number) => {
    const t = o.xLog ? (Math.log(v) - Math.log(x0)) / (Math.log(x1) - Math.log(x0)) : (v - x0) / (x1 - x0);
    return m.l + (o.xReversed ? 1 - t : t) * pw;
  };
  const fy = (v: number) => {
    const t = o.yLog ? (Math.log(v) - Math.log(y0)) / (Math.log(y1) - Math.log(y0)) : (v - y0) / (y1 - y0);
    return m.t + (1 - t) * ph;
  };
  const r = (v: number) => Number(v.toFixed(2));
  const xf = o.xTickFormat ?? defaultFmt;
  const yf = o.yTickFormat ?? defaultFmt;

  const parts: string[] = [head];
  parts.push(`<g stroke="#e6e9ee" stroke-width="1">`);
  for (const v of yt) parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${r(fy(v))}" y2="${r(fy(v))}"/>`);
  for (const v of xt) parts.push(`<line x1="${r(fx(v))}" x2="${r(fx(v))}" y1="${m.t}" y2="${m.t + ph}"/>`);
  parts.push(`</g>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#9aa3b0"/>`);
  parts.push(`<g fill="#5b6473" font-size="11">`);
  for (const v of yt) parts.push(`<text x="${m.l - 6}" y="${r(fy(v) + 4)}" text-anchor="end">${esc(yf(v))}</text>`);
  for (const v of xt)
    parts.push(`<text x="${r(fx(v))}" y="${m.t + ph + 15}" text-anchor="middle">${esc(xf(v))}</text>`);
  parts.push(`</g>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" fill="#1d2330">${esc(o.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1d2330">${esc(o.yLabel)}</text>`,
  );

  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const ok = s.points.map(
      (p) => isNum(p.x) && isNum(p.y) && (!o.xLog || p.x > 0) && (!o.yLog || (p.y as number) > 0),
    );
    // Break the line at missing values rather than bridging them.
    let d = '';
    let pen = false;
    s.points.forEach((p, k) => {
      if (!ok[k]) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${r(fx(p.x))},${r(fy(p.y as number))}`;
      pen = true;
    });
    parts.push(`<g fill="${color}" stroke="${color}">`);
    if (d) parts.push(`<path d="${d}" fill="none" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    s.points.forEach((p, k) => {
      if (ok[k])
        parts.push(
          `<circle cx="${r(fx(p.x))}" cy="${r(fy(p.y as number))}" r="2.8" stroke="none"><title>${esc(`${s.label}: x=${xf(p.x)}, y=${defaultFmt(p.y as number)}`)}</title></circle>`,
        );
    });
    const h = s.highlight;
    if (h !== undefined && ok[h]) {
      const p = s.points[h]!;
      parts.push(`<circle cx="${r(fx(p.x))}" cy="${r(fy(p.y as number))}" r="7" fill="none" stroke-width="2"/>`);
    }
    parts.push(`</g>`);
  });

  if (series.length > 1) {
    const colW = pw / 3;
    series.forEach((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length]!;
      const x = m.l + (i % 3) * colW;
      const y = 30 + Math.floor(i / 3) * 16;
      const label = s.label.length > 28 ? `${s.label.slice(0, 27)}…` : s.label;
      parts.push(
        `<line x1="${r(x)}" x2="${r(x + 18)}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
      parts.push(`<text x="${r(x + 23)}" y="${y}" fill="#1d2330" font-size="11">${esc(label)}</text>`);
    });
  }
  parts.push(`</svg>`);
  return parts.join('\n') + '\n';
}
