/**
 * The one chart theme of the project: palette, fonts, axes. Every Vega-Lite spec the
 * analysis writes carries it in `config`, so the report (which embeds the specs) and the
 * comparison pages (which overlay them) look the same without a second chart library.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
/** Reference lines (dense accuracy, "no locality", half maximum). */
export const REFERENCE = '#888888';

export type Spec = TopLevelSpec & Record<string, unknown>;

export const THEME = {
  font: 'DejaVu Sans, Arial, sans-serif',
  background: 'white',
  range: { category: PALETTE },
  view: { stroke: '#dde1e8' },
  axis: { grid: true, gridColor: '#eef0f3', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'bottom',
    direction: 'horizontal',
    columns: 2,
    labelLimit: 320,
    symbolType: 'stroke',
    symbolStrokeWidth: 2,
  },
  title: { fontSize: 14, fontWeight: 'normal', anchor: 'start' },
  line: { strokeWidth: 1.8 },
  point: { size: 28, filled: true },
} as const;

export const WIDTH = 380;
export const HEIGHT = 240;

/** The x axis of every "vs u" chart: u in percent, log scale, reversed (pruning goes right, spec §5.1). */
export const U_AXIS = {
  field: 'u',
  type: 'quantitative',
  title: 'unpruned weights u (%)',
  scale: { type: 'log', reverse: true, nice: false },
  axis: { format: '~g' },
} as const;

/** Zoom and pan with the mouse wheel and drag (bound to the scales of the layer it is on). */
export const ZOOM = { name: 'zoom', select: 'interval', bind: 'scales' } as const;
