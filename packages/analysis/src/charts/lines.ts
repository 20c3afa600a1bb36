/** Generic line charts and the C^in histogram, in the shared theme (ablation, training curves, radial profiles). */
import { HEIGHT, REFERENCE, THEME, WIDTH, ZOOM, type Spec } from './theme.ts';

export interface LinePoint {
  series: string;
  x: number;
  y: number | null;
  /** Drawn dashed (a null model, a secondary curve). */
  dashed?: boolean;
}

interface Axis {
  title: string;
  log?: boolean;
  domain?: [number, number];
}

const scale = (a: Axis) => ({
  ...(a.log ? { type: 'log' } : { zero: false }),
  ...(a.domain ? { domain: a.domain } : {}),
});

export function lineChart(o: {
  title: string;
  x: Axis;
  y: Axis;
  points: LinePoint[];
  /** Horizontal reference lines. */
  rules?: { label: string; value: number }[];
  markers?: boolean;
}): Spec {
  const tooltip = [
    { field: 'series', type: 'nominal' },
    { field: 'x', type: 'quantitative', title: o.x.title, format: '.4~g' },
    { field: 'y', type: 'quantitative', title: o.y.title, format: '.4~g' },
  ];
  const y = { field: 'y', type: 'quantitative', title: o.y.title, scale: scale(o.y) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: WIDTH,
    height: HEIGHT,
    config: THEME,
    datasets: {
      points: o.points.map(({ dashed, ...p }) => ({ ...p, style: dashed ? 'dashed' : 'solid' })),
      rules: o.rules ?? [],
    },
    layer: [
      // Empty reference data would make Vega warn about an infinite extent.
      ...((o.rules ?? []).length
        ? [
            {
              data: { name: 'rules' },
              mark: { type: 'rule', strokeDash: [2, 3], color: REFERENCE },
              encoding: {
                y: { field: 'value', type: 'quantitative' },
                tooltip: [{ field: 'label' }, { field: 'value', format: '.4~g' }],
              },
            },
          ]
        : []),
      {
        data: { name: 'points' },
        transform: [{ filter: 'isValid(datum.y) && isFinite(datum.y)' }],
        params: [ZOOM],
        mark: { type: 'line', point: o.markers ?? true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: o.x.title, scale: scale(o.x) },
          y,
          color: { field: 'series', type: 'nominal', title: null, sort: null },
          strokeDash: {
            field: 'style',
            type: 'nominal',
            legend: null,
            scale: {
              domain: ['solid', 'dashed'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
          },
          tooltip,
        },
      },
    ],
  } as Spec;
}

/** C^in histogram (bars [lo, hi), log counts) with the binomial expectation as a line (spec §4(b)). */
export function histogramChart(o: {
  title: string;
  xTitle: string;
  bins: { lo: number; hi: number; count: number; expected: number }[];
  barLabel: string;
  lineLabel: string;
}): Spec {
  const yTitle = 'nodes';
  // Log counts: empty bins are drawn from 0.5 (below one node) so the axis stays finite.
  const rows = o.bins.map((b) => ({ ...b, mid: (b.lo + b.hi) / 2, base: 0.5, shown: Math.max(b.count, 0.5) }));
  const yScale = { type: 'log', domainMin: 0.5 };
  const color = {
    field: 'what',
    type: 'nominal',
    title: null,
    scale: { domain: [o.barLabel, o.lineLabel], range: ['#0072B2', '#D55E00'] },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: WIDTH,
    height: HEIGHT,
    config: THEME,
    data: { values: rows },
    layer: [
      {
        transform: [{ calculate: JSON.stringify(o.barLabel), as: 'what' }],
        params: [ZOOM],
        mark: { type: 'rect', opacity: 0.85 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: o.xTitle },
          x2: { field: 'hi' },
          y: { field: 'base', type: 'quantitative', title: yTitle, scale: yScale },
          y2: { field: 'shown' },
          color,
          tooltip: [
            { field: 'lo', title: 'from' },
            { field: 'hi', title: 'to (excl.)' },
            { field: 'count', title: 'nodes' },
            { field: 'expected', title: 'binomial', format: '.3~g' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.expected >= 0.5' }, { calculate: JSON.stringify(o.lineLabel), as: 'what' }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'mid', type: 'quantitative' },
          y: { field: 'expected', type: 'quantitative', scale: yScale },
          color,
        },
      },
    ],
  } as Spec;
}
