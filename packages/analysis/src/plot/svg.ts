/**
 * Small SVG chart writer (line/scatter/bar with axes, ticks, legend) and labelled
 * image panels. Output is deterministic text (fixed decimals), so artifacts stay
 * byte-identical for the same inputs.
 */
import { type Raster, pngDataUri } from './raster.ts';

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface Series {
  label?: string;
  x: number[];
  y: number[];
  color?: string;
  dash?: boolean;
  marker?: 'circle' | 'square' | 'none';
  line?: boolean;
  width?: number;
}

export interface Bars {
  lo: number[];
  hi: number[];
  value: number[];
  color?: string;
  label?: string;
}

export interface ChartOptions {
  title?: string;
  xLabel: string;
  yLabel: string;
  series?: Series[];
  bars?: Bars[];
  xLog?: boolean;
  yLog?: boolean;
  xReverse?: boolean;
  xRange?: [number, number];
  yRange?: [number, number];
  width?: number;
  height?: number;
  /** Horizontal reference lines. */
  hlines?: { y: number; label?: string; color?: string }[];
  /** Highlighted points (e.g. the best level). */
  highlights?: { x: number; y: number; label?: string }[];
  legend?: 'auto' | 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';
}

const f = (v: number) => (Math.abs(v) < 1e-9 ? '0' : v.toFixed(2).replace(/\.?0+$/, ''));
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

function linearTicks(lo: number, hi: number, n = 6): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(12)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(hi / lo);
  const mults = decades <= 3 ? [1, 3] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of mults) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(Number(v.toPrecision(6)));
    }
  return out;
}

function extent(vals: number[], log: boolean): [number, number] {
  const ok = vals.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (!ok.length) return log ? [0.1, 1] : [0, 1];
  let lo = Math.min(...ok),
    hi = Math.max(...ok);
  if (log) {
    if (lo === hi) {
      lo /= 2;
      hi *= 2;
    }
    return [lo / 1.15, hi * 1.15];
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

/** A line / scatter / bar chart as an SVG document. */
export function chart(o: ChartOptions): string {
  const W = o.width ?? 640,
    H = o.height ?? 400;
  const m = { l: 72, r: 20, t: o.title ? 34 : 14, b: 52 };
  const series = o.series ?? [];
  const bars = o.bars ?? [];
  const xs = [...series.flatMap((s) => s.x), ...bars.flatMap((b) => [...b.lo, ...b.hi])];
  const ys = [...series.flatMap((s) => s.y), ...bars.flatMap((b) => b.value), ...(o.hlines ?? []).map((h) => h.y)];
  const [x0, x1] = o.xRange ?? extent(xs, !!o.xLog);
  const [yLo, y1] = o.yRange ?? extent(ys, !!o.yLog);
  let y0 = yLo;
  if (!o.yRange && !o.yLog && bars.length) y0 = Math.min(0, y0);
  const tx = (v: number) => (o.xLog ? Math.log10(v) : v);
  const ty = (v: number) => (o.yLog ? Math.log10(v) : v);
  const pw = W - m.l - m.r,
    ph = H - m.t - m.b;
  const X = (v: number) => {
    let t = (tx(v) - tx(x0)) / (tx(x1) - tx(x0));
    if (o.xReverse) t = 1 - t;
    return m.l + t * pw;
  };
  const Y = (v: number) => m.t + (1 - (ty(v) - ty(y0)) / (ty(y1) - ty(y0))) * ph;
  const inY = (v: number) => Number.isFinite(v) && (!o.yLog || v > 0);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (o.title) out.push(`<text x="${f(W / 2)}" y="20" text-anchor="middle" font-size="15">${esc(o.title)}</text>`);
  out.push(`<defs><clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  // Ticks and grid.
  for (const t of o.xLog ? logTicks(x0, x1) : linearTicks(x0, x1)) {
    const x = X(t);
    out.push(`<line x1="${f(x)}" y1="${m.t}" x2="${f(x)}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<line x1="${f(x)}" y1="${m.t + ph}" x2="${f(x)}" y2="${m.t + ph + 5}" stroke="black"/>`);
    out.push(`<text x="${f(x)}" y="${m.t + ph + 19}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  for (const t of o.yLog ? logTicks(y0, y1) : linearTicks(y0, y1)) {
    const y = Y(t);
    out.push(`<line x1="${m.l}" y1="${f(y)}" x2="${m.l + pw}" y2="${f(y)}" stroke="#eee"/>`);
    out.push(`<line x1="${m.l - 5}" y1="${f(y)}" x2="${m.l}" y2="${f(y)}" stroke="black"/>`);
    out.push(`<text x="${m.l - 8}" y="${f(y + 4)}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  out.push(`<g clip-path="url(#plot)">`);
  bars.forEach((b, bi) => {
    const color = b.color ?? PALETTE[bi % PALETTE.length];
    b.value.forEach((v, i) => {
      if (!inY(v)) return;
      const xa = X(b.lo[i]!),
        xb = X(b.hi[i]!);
      const base = o.yLog ? m.t + ph : Y(Math.max(y0, 0));
      const yv = Y(v);
      out.push(
        `<rect x="${f(Math.min(xa, xb))}" y="${f(Math.min(yv, base))}" width="${f(Math.abs(xb - xa))}" height="${f(Math.abs(base - yv))}" fill="${color}"/>`,
      );
    });
  });
  for (const h of o.hlines ?? []) {
    if (!inY(h.y)) continue;
    out.push(
      `<line x1="${m.l}" y1="${f(Y(h.y))}" x2="${m.l + pw}" y2="${f(Y(h.y))}" stroke="${h.color ?? '#555'}" stroke-dasharray="6 4"/>`,
    );
    if (h.label)
      out.push(
        `<text x="${m.l + 6}" y="${f(Y(h.y) - 5)}" fill="${h.color ?? '#555'}" font-size="12">${esc(h.label)}</text>`,
      );
  }
  series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length];
    const pts = s.x
      .map((x, i) => [x, s.y[i]!] as const)
      .filter(([x, y]) => inY(y) && Number.isFinite(x) && (!o.xLog || x > 0));
    if (s.line !== false && pts.length > 1) {
      // Break the polyline at gaps (non-finite values).
      let seg: string[] = [];
      const flush = () => {
        if (seg.length > 1)
          out.push(
            `<polyline points="${seg.join(' ')}" fill="none" stroke="${color}" stroke-width="${s.width ?? 1.8}"${s.dash ? ' stroke-dasharray="6 4"' : ''}/>`,
          );
        seg = [];
      };
      s.x.forEach((x, i) => {
        const y = s.y[i]!;
        if (inY(y) && Number.isFinite(x)) seg.push(`${f(X(x))},${f(Y(y))}`);
        else flush();
      });
      flush();
    }
    const mk = s.marker ?? 'circle';
    if (mk !== 'none')
      for (const [x, y] of pts)
        out.push(
          mk === 'circle'
            ? `<circle cx="${f(X(x))}" cy="${f(Y(y))}" r="3.2" fill="${color}"/>`
            : `<rect x="${f(X(x) - 3.5)}" y="${f(Y(y) - 3.5)}" width="7" height="7" fill="${color}"/>`,
        );
  });
  for (const h of o.highlights ?? []) {
    if (!inY(h.y)) continue;
    out.push(
      `<rect x="${f(X(h.x) - 6)}" y="${f(Y(h.y) - 6)}" width="12" height="12" fill="white" stroke="black" stroke-width="1.8"/>`,
    );
    if (h.label) out.push(`<text x="${f(X(h.x) + 10)}" y="${f(Y(h.y) + 18)}" font-size="12">${esc(h.label)}</text>`);
  }
  out.push(`</g>`);
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  out.push(`<text x="${f(m.l + pw / 2)}" y="${H - 12}" text-anchor="middle" font-size="14">${esc(o.xLabel)}</text>`);
  out.push(
    `<text transform="translate(18 ${f(m.t + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="14">${esc(o.yLabel)}</text>`,
  );
  // Legend.
  const items = [
    ...bars
      .filter((b) => b.label)
      .map((b, i) => ({ label: b.label!, color: b.color ?? PALETTE[i % PALETTE.length]!, dash: false, bar: true })),
    ...series
      .filter((s) => s.label)
      .map((s) => ({
        label: s.label!,
        color: s.color ?? PALETTE[series.indexOf(s) % PALETTE.length]!,
        dash: !!s.dash,
        bar: false,
      })),
  ];
  if (items.length && o.legend !== 'none') {
    const lw = Math.max(...items.map((i) => i.label.length)) * 7 + 40;
    const lh = items.length * 17 + 6;
    const box = (p: string) => ({
      x: p.endsWith('right') ? m.l + pw - lw - 8 : m.l + 8,
      y: p.startsWith('top') ? m.t + 8 : m.t + ph - 8 - lh,
    });
    // 'auto': the corner covering the fewest plotted points (highlights and hline labels count too).
    const pts: [number, number][] = [
      ...series.flatMap((s) => s.x.map((x, i) => [X(x), Y(s.y[i]!)] as [number, number])),
      ...(o.highlights ?? []).map((h) => [X(h.x), Y(h.y) - 10] as [number, number]),
      ...(o.hlines ?? []).filter((h) => h.label).map((h) => [m.l + 30, Y(h.y)] as [number, number]),
    ];
    const corners = ['top-right', 'top-left', 'bottom-right', 'bottom-left'];
    const hits = (p: string) => {
      const b = box(p);
      return pts.filter(([x, y]) => x >= b.x - 6 && x <= b.x + lw + 6 && y >= b.y - 6 && y <= b.y + lh + 6).length;
    };
    const pos = !o.legend || o.legend === 'auto' ? corners.reduce((a, c) => (hits(c) < hits(a) ? c : a)) : o.legend;
    const { x: lx, y: ly } = box(pos);
    out.push(
      `<rect x="${f(lx)}" y="${f(ly)}" width="${f(lw)}" height="${lh}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`,
    );
    items.forEach((it, i) => {
      const yy = ly + 14 + i * 17;
      out.push(
        it.bar
          ? `<rect x="${f(lx + 6)}" y="${f(yy - 8)}" width="20" height="9" fill="${it.color}"/>`
          : `<line x1="${f(lx + 6)}" y1="${f(yy - 4)}" x2="${f(lx + 26)}" y2="${f(yy - 4)}" stroke="${it.color}" stroke-width="2"${it.dash ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
      out.push(`<text x="${f(lx + 32)}" y="${f(yy)}" font-size="12">${esc(it.label)}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface Panel {
  image: Raster;
  label?: string;
}

/** Labelled image panels (e.g. S maps), images embedded as PNG data URIs. */
export function panels(
  items: Panel[],
  cols: number,
  opts: { title?: string; gap?: number; labelSize?: number } = {},
): string {
  const gap = opts.gap ?? 12;
  const ls = opts.labelSize ?? 14;
  const w = Math.max(...items.map((p) => p.image.width));
  const h = Math.max(...items.map((p) => p.image.height));
  const rows = Math.ceil(items.length / cols);
  const c = Math.min(cols, items.length);
  const top = opts.title ? 30 : 6;
  const cellH = h + ls + 12;
  const W = c * w + (c + 1) * gap;
  const H = top + rows * cellH + 6;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (opts.title)
    out.push(`<text x="${f(W / 2)}" y="20" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`);
  items.forEach((p, i) => {
    const x = gap + (i % cols) * (w + gap);
    const y = top + Math.floor(i / cols) * cellH;
    out.push(
      `<image x="${x}" y="${y}" width="${p.image.width}" height="${p.image.height}" href="${pngDataUri(p.image)}"/>`,
    );
    out.push(
      `<rect x="${x}" y="${y}" width="${p.image.width}" height="${p.image.height}" fill="none" stroke="black"/>`,
    );
    if (p.label)
      out.push(
        `<text x="${f(x + p.image.width / 2)}" y="${y + p.image.height + ls + 2}" text-anchor="middle" font-size="${ls}">${esc(p.label)}</text>`,
      );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
