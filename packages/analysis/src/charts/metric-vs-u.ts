/**
 * The common chart of the paper (spec §5.1–5.2): a per-level scalar against u. Its data
 * is a flat table in `datasets.points` (one row per experiment × series × level) and
 * `datasets.rules` (horizontal reference lines), coloured by `experiment` and dashed by
 * `series`. A comparison page overlays experiments by concatenating the datasets of the
 * same figure from each analysis artifact; the encoding already colours by experiment.
 */
import { HEIGHT, REFERENCE, THEME, U_AXIS, WIDTH, ZOOM, type Spec } from './theme.ts';

export interface MetricPoint {
  experiment: string;
  series: string;
  level: number;
  /** u in percent. */
  u: number;
  value: number | null;
  best: boolean;
}

export interface ReferenceRule {
  experiment: string;
  label: string;
  value: number;
}

export const METRIC_VS_U = 'metric-vs-u';

export function metricVsU(o: {
  title: string;
  yTitle: string;
  yLog?: boolean;
  points: MetricPoint[];
  rules?: ReferenceRule[];
}): Spec {
  const y = {
    field: 'value',
    type: 'quantitative',
    title: o.yTitle,
    scale: o.yLog ? { type: 'log' } : { zero: false },
  };
  const tooltip = [
    { field: 'experiment', type: 'nominal' },
    { field: 'series', type: 'nominal' },
    { field: 'level', type: 'ordinal' },
    { field: 'u', type: 'quantitative', title: 'u (%)', format: '.3~g' },
    { field: 'value', type: 'quantitative', format: '.4~g' },
  ];
  // sort: null keeps the order of the data: the first series is solid, the first experiment blue.
  const color = { field: 'experiment', type: 'nominal', title: null, sort: null };
  const dash = { field: 'series', type: 'nominal', title: null, sort: null };
  const valid = { filter: 'isValid(datum.value) && isFinite(datum.value) && datum.u > 0' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    usermeta: { kind: METRIC_VS_U },
    title: o.title,
    width: WIDTH,
    height: HEIGHT,
    config: THEME,
    datasets: { points: o.points, rules: o.rules ?? [] },
    layer: [
      // Empty reference data would make Vega warn about an infinite extent.
      ...((o.rules ?? []).length
        ? [
            {
              data: { name: 'rules' },
              mark: { type: 'rule', strokeDash: [2, 3], color: REFERENCE },
              encoding: {
                y: { ...y, field: 'value' },
                tooltip: [{ field: 'label' }, { field: 'value', format: '.4~g' }],
              },
            },
          ]
        : []),
      {
        data: { name: 'points' },
        transform: [valid],
        params: [ZOOM],
        mark: { type: 'line', point: true },
        encoding: { x: U_AXIS, y, color, strokeDash: dash, detail: dash, tooltip },
      },
      {
        data: { name: 'points' },
        transform: [valid, { filter: 'datum.best' }],
        mark: { type: 'point', shape: 'square', size: 110, filled: false, strokeWidth: 2 },
        encoding: { x: U_AXIS, y, color, tooltip },
      },
    ],
  } as Spec;
}
