/**
 * Bands over seeds: the analysis' own "metric vs u" chart (its spec, theme and encodings)
 * with the rows replaced by the mean over seeds and an area layer for the confidence
 * interval, drawn under the mean line. The numbers come from the aggregate artifact
 * (`curves/<id>.json`: points with value = mean, lo, hi, n); this module only draws.
 * A comparison overlay of band charts keeps the bands (overlay.ts takes a band chart
 * as its template when any experiment has one).
 */
import { ArtifactError } from '@imp/artifacts';

type Obj = Record<string, unknown>;

export interface BandData {
  points: Obj[];
  rules: Obj[];
}

const markType = (m: unknown) => (typeof m === 'string' ? m : (m as { type?: unknown } | undefined)?.type);

/** Whether a spec already carries a band layer (usermeta.bands). */
export const hasBands = (spec: unknown) => !!(spec as { usermeta?: { bands?: unknown } } | null)?.usermeta?.bands;

/** The spec's layers; a single-view spec becomes one layer (its mark, encoding, transform, params, data). */
function layered(spec: Obj): Obj[] {
  if (Array.isArray(spec.layer)) return spec.layer as Obj[];
  const layer: Obj = {};
  for (const k of ['mark', 'encoding', 'transform', 'params', 'data'])
    if (k in spec) {
      layer[k] = spec[k];
      delete spec[k];
    }
  spec.layer = [layer];
  return spec.layer as Obj[];
}

/**
 * The band chart of one curve: `template` is the analysis' spec of that curve (any seed's),
 * `data` the aggregate's rows; `seeds` and `confidence` go into the tooltip and usermeta.
 */
export function bandSpec(
  template: unknown,
  data: BandData,
  o: { seeds: number; confidence: number; where: string },
): Obj {
  const spec = structuredClone(template) as Obj;
  const ds = spec.datasets as { points?: unknown } | undefined;
  if (!spec || typeof spec !== 'object' || !Array.isArray(ds?.points))
    throw new ArtifactError(`${o.where}: a metric-vs-u spec must keep its rows in datasets.points`, 'bad-manifest');
  spec.datasets = { points: data.points, rules: data.rules };
  const layers = layered(spec);
  const i = layers.findIndex((l) => markType(l.mark) === 'line');
  if (i < 0)
    throw new ArtifactError(`${o.where}: a metric-vs-u spec needs a line layer to draw bands under`, 'bad-manifest');
  const line = layers[i]!;
  const enc = (line.encoding ?? {}) as Obj;
  const y = (enc.y ?? {}) as Obj;
  const yLog = (y.scale as { type?: unknown } | undefined)?.type === 'log';
  const pct = `${Math.round(o.confidence * 100)} %`;
  const band: Obj = {
    ...(line.data ? { data: line.data } : {}),
    transform: [
      {
        filter: `isValid(datum.lo) && isValid(datum.hi) && isFinite(datum.lo) && isFinite(datum.hi) && datum.u > 0${yLog ? ' && datum.lo > 0' : ''}`,
      },
    ],
    mark: { type: 'area', opacity: 0.2, line: false, point: false },
    encoding: {
      x: enc.x,
      y: { ...y, field: 'lo' },
      y2: { field: 'hi' },
      ...(enc.color ? { color: enc.color } : {}),
      // One area per series (the dashed lines), as the lines are one per series.
      ...(enc.detail || enc.strokeDash ? { detail: enc.detail ?? enc.strokeDash } : {}),
      tooltip: [
        ...(Array.isArray(enc.tooltip) ? (enc.tooltip as Obj[]).filter((t) => t.field !== 'value') : []),
        { field: 'value', type: 'quantitative', title: `mean of ${o.seeds} seeds`, format: '.4~g' },
        { field: 'lo', type: 'quantitative', title: `${pct} CI low`, format: '.4~g' },
        { field: 'hi', type: 'quantitative', title: `${pct} CI high`, format: '.4~g' },
        { field: 'n', type: 'quantitative', title: 'seeds' },
      ],
    },
  };
  // Mean lines keep their encodings; their tooltip says what the value is and its interval.
  if (Array.isArray(enc.tooltip))
    enc.tooltip = [
      ...(enc.tooltip as Obj[]),
      { field: 'lo', type: 'quantitative', title: `${pct} CI low`, format: '.4~g' },
      { field: 'hi', type: 'quantitative', title: `${pct} CI high`, format: '.4~g' },
      { field: 'n', type: 'quantitative', title: 'seeds' },
    ];
  layers.splice(i, 0, band);
  spec.usermeta = {
    ...((spec.usermeta as Obj | undefined) ?? {}),
    bands: { seeds: o.seeds, confidence: o.confidence },
  };
  return spec;
}
