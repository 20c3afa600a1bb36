/**
 * Labelled image panels (S maps as plasma heatmaps) as a Vega-Lite facet of image marks.
 * The images are PNG data URIs made by plot/raster.ts (the authors' colour scale, each
 * panel scaled 0..max as in the notebook); Vega-Lite lays out and labels them. A figure
 * with one panel per level gets a level selector in the interactive page (the static
 * SVG shows every level).
 */
import { THEME, type Spec } from './theme.ts';

export interface ImagePanel {
  label: string;
  /** data:image/png;base64,… */
  url: string;
  width: number;
  height: number;
  level?: number;
}

const GAP = 10;
const LABEL = 18;
/** Cells are at least this wide so labels of small maps do not overlap. */
const MIN_CELL = 100;

export function imagePanels(o: {
  title?: string;
  panels: ImagePanel[];
  columns: number;
  levelSelector?: boolean;
}): Spec {
  const w = Math.max(1, ...o.panels.map((p) => p.width));
  const h = Math.max(1, ...o.panels.map((p) => p.height));
  const levels = [...new Set(o.panels.map((p) => p.level).filter((l): l is number => l !== undefined))];
  const selector = o.levelSelector && levels.length > 1;
  const cols = Math.max(1, Math.min(o.columns, o.panels.length));
  const cw = Math.max(w, MIN_CELL);
  const rows = Math.max(1, Math.ceil(o.panels.length / cols));
  // One view, panels placed on a grid by their row number after the level filter, so a
  // selected level moves to the first cell (a facet would also work, but its header bands
  // space small panels far apart).
  const xy = { type: 'quantitative', scale: null } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(o.title ? { title: o.title } : {}),
    config: { ...THEME, view: { stroke: null } },
    width: (cols - 1) * (cw + GAP) + w,
    height: rows * (h + LABEL) + (rows - 1) * GAP,
    data: { values: o.panels.map((p, i) => ({ ...p, order: i })) },
    ...(selector
      ? {
          params: [
            {
              name: 'level',
              value: null,
              bind: {
                input: 'select',
                name: 'level ',
                options: [null, ...levels],
                labels: ['all', ...levels.map(String)],
              },
            },
          ],
        }
      : {}),
    transform: [
      ...(selector ? [{ filter: 'level === null || datum.level === level' }] : []),
      { window: [{ op: 'row_number', as: 'idx' }], sort: [{ field: 'order' }] },
      { calculate: `((datum.idx - 1) % ${cols}) * ${cw + GAP}`, as: 'px' },
      { calculate: `floor((datum.idx - 1) / ${cols}) * ${h + LABEL + GAP}`, as: 'py' },
      { calculate: `datum.px + ${w}`, as: 'px2' },
      { calculate: `datum.py + ${h}`, as: 'py2' },
      { calculate: `datum.px + ${w / 2}`, as: 'cx' },
      { calculate: `datum.py + ${h + 3}`, as: 'ty' },
    ],
    layer: [
      {
        mark: { type: 'image', width: w, height: h, align: 'left', baseline: 'top', smooth: false, aria: false },
        encoding: {
          x: { field: 'px', ...xy },
          y: { field: 'py', ...xy },
          url: { field: 'url', type: 'nominal' },
          tooltip: [{ field: 'label' }],
        },
      },
      {
        mark: { type: 'rect', fill: null, stroke: '#333333', strokeWidth: 1, aria: false },
        encoding: { x: { field: 'px', ...xy }, x2: { field: 'px2' }, y: { field: 'py', ...xy }, y2: { field: 'py2' } },
      },
      {
        mark: { type: 'text', fontSize: 12, baseline: 'top', align: 'center', aria: false },
        encoding: { x: { field: 'cx', ...xy }, y: { field: 'ty', ...xy }, text: { field: 'label' } },
      },
    ],
  } as Spec;
}
