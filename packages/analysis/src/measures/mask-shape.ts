/**
 * The shape of the first-layer masks (beyond the paper; spec §5.2 describes "compact,
 * localised patches" and "oriented (horizontal/vertical) stripe detectors"). Per node, from
 * the second moments of its connected pixels' coordinates (shape-stats.ts), unweighted and
 * weighted by |w|: elongation, orientation, and the spread (mean distance to the centroid);
 * compactness = spread / E[spread of k uniformly random valid pixels], k = the node's
 * in-degree. Against a null of random masks with the same per-node in-degrees (each node's
 * own weights on uniformly drawn valid pixels): histograms, per-level means, and curves vs u.
 */
import { Rng } from '@imp/artifacts';
import { lineChart, type LinePoint } from '../charts/lines.ts';
import { metricVsU } from '../charts/metric-vs-u.ts';
import { num, pct, type LevelRow, type Measure } from '../measure.ts';
import { MIN_SHAPE_POINTS, shapeInputs, validPool } from '../shape-inputs.ts';
import { drawSubset, nearAxis, pixelCoords, shapeOf } from '../shape-stats.ts';

type Stat = 'elongation' | 'compactness' | 'orientation';
interface Binning {
  n: number;
  bin(v: number): number;
  lo(i: number): number;
  hi(i: number): number;
  centre(i: number): number;
}
const BINS: Record<Stat, Binning> = {
  // log2 bins of width 1/4 from 1 to 32 (a 1×n bar has elongation n; 28 px is the crop side).
  elongation: {
    n: 20,
    bin: (v) => Math.min(19, Math.max(0, Math.floor(4 * Math.log2(v)))),
    lo: (i) => 2 ** (i / 4),
    hi: (i) => 2 ** ((i + 1) / 4),
    centre: (i) => 2 ** ((i + 0.5) / 4),
  },
  compactness: {
    n: 40,
    bin: (v) => Math.min(39, Math.max(0, Math.floor(v / 0.05))),
    lo: (i) => i * 0.05,
    hi: (i) => (i + 1) * 0.05,
    centre: (i) => (i + 0.5) * 0.05,
  },
  orientation: {
    n: 12,
    bin: (v) => Math.min(11, Math.floor(v / 15)),
    lo: (i) => i * 15,
    hi: (i) => (i + 1) * 15,
    centre: (i) => (i + 0.5) * 15,
  },
};

/** Running per-level aggregates of one population of nodes (the masks, or the null). */
class Tally {
  n = 0;
  sums = { elongation: 0, elongation_w: 0, compactness: 0, compactness_w: 0 };
  oriented = 0;
  onAxis = 0;
  hist: Record<string, Float64Array> = {};
  constructor(readonly minElongation: number) {
    for (const s of Object.keys(BINS) as Stat[])
      for (const w of ['', '_w']) this.hist[s + w] = new Float64Array(BINS[s].n);
  }
  add(e: number, ew: number, c: number, cw: number, th: number, thw: number): void {
    this.n++;
    this.sums.elongation += e;
    this.sums.elongation_w += ew;
    this.sums.compactness += c;
    this.sums.compactness_w += cw;
    if (e >= this.minElongation) {
      this.oriented++;
      if (nearAxis(th)) this.onAxis++;
      this.hist.orientation![BINS.orientation.bin(th)]!++;
    }
    if (ew >= this.minElongation) this.hist.orientation_w![BINS.orientation.bin(thw)]!++;
    this.hist.elongation![BINS.elongation.bin(e)]!++;
    this.hist.elongation_w![BINS.elongation.bin(ew)]!++;
    if (Number.isFinite(c)) this.hist.compactness![BINS.compactness.bin(c)]!++;
    if (Number.isFinite(cw)) this.hist.compactness_w![BINS.compactness.bin(cw)]!++;
  }
  mean(k: keyof Tally['sums']): number {
    return this.n ? this.sums[k] / this.n : NaN;
  }
  /** Histogram as fractions of the population (orientation: of its oriented nodes). */
  fractions(key: string): Float64Array {
    const h = this.hist[key]!;
    const tot = h.reduce((a, b) => a + b, 0);
    return h.map((v) => (tot > 0 ? v / tot : 0));
  }
}

const STAT_LABEL: Record<Stat, string> = {
  elongation: 'elongation sqrt(λ1/λ2)',
  compactness: 'compactness (spread / random spread at the same in-degree)',
  orientation: 'orientation of the major axis (degrees, 0 = horizontal)',
};

const SERIES = {
  mask: 'IMP mask',
  null: 'random mask, same in-degrees',
  mask_w: 'mask weighted by |w|',
  null_w: 'random positions, same weights',
} as const;

export const maskShape: Measure = {
  name: 'mask-shape',
  description:
    'shape of each first-layer mask from the second moments of its pixel coordinates (unweighted and |w|-weighted): elongation, orientation, compactness vs random masks with the same in-degrees (beyond the paper; spec §5.2 describes compact, oriented patches)',
  scalars: [
    {
      name: 'shape_nodes',
      type: 'int',
      description: 'first-layer nodes with ≥ 3 connections on valid pixels (measured)',
    },
    { name: 'elongation_mean', type: 'float', description: 'mean elongation sqrt(λ1/λ2) of the masks (1 = round)' },
    { name: 'elongation_null', type: 'float', description: 'the same for random masks with the same in-degrees' },
    { name: 'elongation_ratio', type: 'float', description: 'elongation_mean / elongation_null (1 = as random)' },
    { name: 'elongation_w_mean', type: 'float', description: 'mean elongation of the |w|-weighted masks' },
    {
      name: 'elongation_w_null',
      type: 'float',
      description: 'the same with each node’s weights on random pixels',
    },
    { name: 'elongation_w_ratio', type: 'float', description: 'elongation_w_mean / elongation_w_null' },
    {
      name: 'compactness_mean',
      type: 'float',
      description: 'mean over nodes of spread / E[spread of a random mask with the same in-degree] (< 1 = compact)',
    },
    {
      name: 'compactness_null',
      type: 'float',
      description: 'the same for the null masks (≈ 1: calibration)',
    },
    {
      name: 'compactness_w_mean',
      type: 'float',
      description: 'mean |w|-weighted spread over the same random expectation',
    },
    { name: 'compactness_w_null', type: 'float', description: 'the same with each node’s weights on random pixels' },
    {
      name: 'orientation_axis_fraction',
      type: 'float',
      description:
        'of the nodes with elongation ≥ shapeMinElongation, the fraction oriented within 22.5° of horizontal or vertical (compare with the null: random masks in a square lean to the diagonals, ≈ 0.35)',
    },
    { name: 'orientation_axis_fraction_null', type: 'float', description: 'the same for the null masks' },
  ],
  tables: [
    {
      name: 'mask_shape_nodes',
      title: 'Shape of each first-layer mask (nodes with ≥ 3 connections)',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'node', type: 'int', description: 'first-layer node' },
        { name: 'cin', type: 'int', description: 'connections on valid pixels' },
        { name: 'centroid_y', type: 'float', description: 'centroid row (px)' },
        { name: 'centroid_x', type: 'float', description: 'centroid column (px)' },
        { name: 'elongation', type: 'float', description: 'sqrt(λ1/λ2) of the coordinate covariance + I/12' },
        { name: 'orientation', type: 'float', description: 'major axis, degrees in [0, 180), 0 = horizontal' },
        { name: 'spread', type: 'float', description: 'mean distance to the centroid (px)' },
        { name: 'compactness', type: 'float', description: 'spread / E[spread] of random masks with the same cin' },
        { name: 'elongation_w', type: 'float', description: 'elongation with |w| weights' },
        { name: 'orientation_w', type: 'float', description: 'orientation with |w| weights' },
        { name: 'spread_w', type: 'float', description: '|w|-weighted mean distance to the weighted centroid' },
        { name: 'compactness_w', type: 'float', description: 'spread_w / E[spread] of random masks with the same cin' },
      ],
    },
    {
      name: 'mask_shape_hist',
      title: 'Histograms of the mask shapes, masks vs the null of random masks with the same in-degrees',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        {
          name: 'statistic',
          type: 'str',
          description: 'elongation, compactness, orientation, or the same with _w (|w|-weighted)',
        },
        { name: 'source', type: 'str', description: "'mask' or 'null' (mean over the null samples)" },
        { name: 'lo', type: 'float', description: 'bin start' },
        { name: 'hi', type: 'float', description: 'bin end' },
        {
          name: 'fraction',
          type: 'float',
          description: 'fraction of the measured nodes (orientation: of those with elongation ≥ shapeMinElongation)',
        },
      ],
    },
  ],
  figures: [
    { id: 'elongation_vs_u', levels: 'once', description: 'mean elongation of the masks and of the null vs u' },
    { id: 'compactness_vs_u', levels: 'once', description: 'mean compactness of the masks and of the null vs u' },
    {
      id: 'orientation_vs_u',
      levels: 'once',
      description: 'fraction of elongated masks oriented along the axes vs u',
    },
    { id: 'shape_hist_elongation', levels: 'detail', description: 'elongation histogram, masks vs null' },
    { id: 'shape_hist_compactness', levels: 'detail', description: 'compactness histogram, masks vs null' },
    { id: 'shape_hist_orientation', levels: 'detail', description: 'orientation histogram, masks vs null' },
  ],
  start(x) {
    const { cfg, g } = x;
    const { ys, xs } = pixelCoords(g);
    const valid = validPool(x);
    // E[spread | k] for k uniformly random valid pixels: 64 draws from a fresh pool and one stream
    // per k, so the value depends on k alone (not on which levels came first); kept across levels.
    const expected = new Map<number, number>();
    const scratch = new Int32Array(valid.length);
    const expectedSpread = (k: number): number => {
      let e = expected.get(k);
      if (e === undefined) {
        const rng = new Rng(cfg.seed, 7_000_000 + k);
        const pool = valid.slice();
        const draws = k >= pool.length ? 1 : 64;
        let s = 0;
        for (let d = 0; d < draws; d++) {
          drawSubset(rng, pool, k, scratch, 0);
          s += shapeOf(scratch, 0, k, ys, xs).spread;
        }
        e = s / draws;
        expected.set(k, e);
      }
      return e;
    };
    return {
      level(lv, out) {
        const k = lv.level;
        const { pts, measured, nulls } = out.time('mask_shape', () => shapeInputs(x, lv));
        const data = new Tally(cfg.shapeMinElongation);
        const nul = new Tally(cfg.shapeMinElongation);
        out.time('mask_shape', () => {
          for (const j of measured) {
            const a = pts.start[j]!,
              b = pts.start[j + 1]!;
            const e = expectedSpread(b - a);
            const s = shapeOf(pts.pos, a, b, ys, xs);
            const sw = shapeOf(pts.pos, a, b, ys, xs, pts.w);
            data.add(s.elongation, sw.elongation, s.spread / e, sw.spread / e, s.orientation, sw.orientation);
            out.rows('mask_shape_nodes', {
              level: k,
              node: j,
              cin: b - a,
              centroid_y: s.cy,
              centroid_x: s.cx,
              elongation: s.elongation,
              orientation: s.orientation,
              spread: s.spread,
              compactness: s.spread / e,
              elongation_w: sw.elongation,
              orientation_w: sw.orientation,
              spread_w: sw.spread,
              compactness_w: sw.spread / e,
            });
            for (const pos of nulls) {
              const n = shapeOf(pos, a, b, ys, xs);
              const nw = shapeOf(pos, a, b, ys, xs, pts.w);
              nul.add(n.elongation, nw.elongation, n.spread / e, nw.spread / e, n.orientation, nw.orientation);
            }
          }
        });
        const hasNull = nulls.length > 0;
        for (const stat of Object.keys(BINS) as Stat[])
          for (const w of ['', '_w'])
            for (const [source, t] of [['mask', data], ...(hasNull ? [['null', nul] as const] : [])] as const) {
              const f = t.fractions(stat + w);
              for (let i = 0; i < f.length; i++)
                out.rows('mask_shape_hist', {
                  level: k,
                  statistic: stat + w,
                  source,
                  lo: BINS[stat].lo(i),
                  hi: BINS[stat].hi(i),
                  fraction: f[i]!,
                });
            }
        const nullOr = (v: number) => (hasNull ? num(v) : null);
        const ratio = (a: number, b: number) => (hasNull ? num(a / b) : null);
        out.scalar('shape_nodes', measured.length);
        out.scalar('elongation_mean', num(data.mean('elongation')));
        out.scalar('elongation_null', nullOr(nul.mean('elongation')));
        out.scalar('elongation_ratio', ratio(data.mean('elongation'), nul.mean('elongation')));
        out.scalar('elongation_w_mean', num(data.mean('elongation_w')));
        out.scalar('elongation_w_null', nullOr(nul.mean('elongation_w')));
        out.scalar('elongation_w_ratio', ratio(data.mean('elongation_w'), nul.mean('elongation_w')));
        out.scalar('compactness_mean', num(data.mean('compactness')));
        out.scalar('compactness_null', nullOr(nul.mean('compactness')));
        out.scalar('compactness_w_mean', num(data.mean('compactness_w')));
        out.scalar('compactness_w_null', nullOr(nul.mean('compactness_w')));
        out.scalar('orientation_axis_fraction', num(data.onAxis / data.oriented));
        out.scalar('orientation_axis_fraction_null', nullOr(nul.onAxis / nul.oriented));
        if (!lv.isDetail) return;
        for (const stat of Object.keys(BINS) as Stat[]) {
          const points: LinePoint[] = [];
          const series = [
            [SERIES.mask, data, '', false],
            [SERIES.null, nul, '', true],
            [SERIES.mask_w, data, '_w', false],
            [SERIES.null_w, nul, '_w', true],
          ] as const;
          for (const [name, t, w, dashed] of series) {
            if (t === nul && !hasNull) continue;
            const f = t.fractions(stat + w);
            for (let i = 0; i < f.length; i++) points.push({ series: name, x: BINS[stat].centre(i), y: f[i]!, dashed });
          }
          out.figure({
            id: `shape_hist_${stat}`,
            file: `figures/shape_hist_${stat}_L${k}`,
            title: `Mask ${stat}, level ${k}`,
            caption: `Histogram of the ${STAT_LABEL[stat]} of the ${measured.length} first-layer masks with ≥ ${MIN_SHAPE_POINTS} connections at u = ${pct(lv.u)} %, unweighted and weighted by |w|, against random masks with the same in-degrees (dashed; ${nulls.length} samples)${stat === 'orientation' ? `; only masks with elongation ≥ ${cfg.shapeMinElongation}` : ''}.`,
            level: k,
            spec: lineChart({
              title: `Mask ${stat}, level ${k}`,
              x: { title: STAT_LABEL[stat], log: stat === 'elongation' },
              y: { title: 'fraction of nodes' },
              points,
            }),
          });
        }
      },
      finish(levels, out) {
        const curve = (ids: [string, keyof LevelRow][]) =>
          levels.flatMap((l) =>
            ids.map(([series, key]) => ({
              experiment: 'IMP',
              series,
              level: l.level,
              u: 100 * l.u!,
              value: l[key] ?? null,
              best: l.level === x.bestLevel,
            })),
          );
        out.figure({
          id: 'elongation_vs_u',
          file: 'figures/elongation_vs_u',
          title: 'Mask elongation vs u',
          caption:
            'Mean elongation sqrt(λ1/λ2) of the first-layer masks (second moments of their pixel coordinates, each pixel a unit square), unweighted and weighted by |w|, and the same for random masks with the same in-degrees. A 1×n bar has elongation n.',
          spec: metricVsU({
            title: 'Mean mask elongation vs u',
            yTitle: 'mean elongation',
            points: curve([
              [SERIES.mask, 'elongation_mean'],
              [SERIES.null, 'elongation_null'],
              [SERIES.mask_w, 'elongation_w_mean'],
              [SERIES.null_w, 'elongation_w_null'],
            ]),
          }),
        });
        out.figure({
          id: 'compactness_vs_u',
          file: 'figures/compactness_vs_u',
          title: 'Mask compactness vs u',
          caption:
            'Mean over nodes of the spread (mean distance of the connected pixels to their centroid) divided by its expectation for a random mask with the same in-degree: 1 = as random, below 1 = compact.',
          spec: metricVsU({
            title: 'Mean mask compactness vs u',
            yTitle: 'spread / random spread',
            points: curve([
              [SERIES.mask, 'compactness_mean'],
              [SERIES.null, 'compactness_null'],
              [SERIES.mask_w, 'compactness_w_mean'],
              [SERIES.null_w, 'compactness_w_null'],
            ]),
            rules: [{ experiment: 'IMP', label: 'as random', value: 1 }],
          }),
        });
        out.figure({
          id: 'orientation_vs_u',
          file: 'figures/orientation_vs_u',
          title: 'Axis-aligned masks vs u',
          caption: `Of the masks with elongation ≥ ${cfg.shapeMinElongation}, the fraction whose major axis is within 22.5° of horizontal or vertical, and the same for the null (random masks: below 0.5, since in a square the sample axes of random points lean to the diagonals).`,
          spec: metricVsU({
            title: 'Fraction of elongated masks along the axes vs u',
            yTitle: 'fraction within 22.5° of an axis',
            points: curve([
              [SERIES.mask, 'orientation_axis_fraction'],
              [SERIES.null, 'orientation_axis_fraction_null'],
            ]),
          }),
        });
      },
    };
  },
};
