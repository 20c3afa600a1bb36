/**
 * Comparison overlays of the analysis' "metric vs u" charts. Each such spec keeps its
 * data in `datasets.points` (experiment, series, level, u, value, best) and
 * `datasets.rules`, coloured by `experiment`; an overlay is the first experiment's spec
 * with the rows of every experiment, relabelled with the experiment's name. So the
 * comparison page draws with the analysis' own chart builders, through data.
 */
import { ArtifactError } from '@imp/artifacts';
import { hasBands } from './bands.ts';

type Row = Record<string, unknown>;

interface CurveSpec {
  datasets: { points: Row[]; rules?: Row[] };
  [k: string]: unknown;
}

function asCurveSpec(spec: unknown, where: string): CurveSpec {
  const s = spec as Partial<CurveSpec> | null;
  if (!s || typeof s !== 'object' || !Array.isArray(s.datasets?.points))
    throw new ArtifactError(`${where}: a metric-vs-u spec must keep its rows in datasets.points`, 'bad-manifest');
  return s as CurveSpec;
}

/** One overlay spec from the same chart of several experiments (in page order). */
export function overlaySpec(charts: { label: string; spec: unknown; where: string }[]): unknown {
  const specs = charts.map((c) => ({ ...c, spec: asCurveSpec(c.spec, c.where) }));
  // A band chart (several seeds) is the template when any experiment has one: its band layer
  // draws the intervals of the experiments that have them (rows without lo/hi draw none).
  const banded = specs.find((c) => hasBands(c.spec));
  const template = structuredClone((banded ?? specs[0]!).spec);
  // The band layer comes first and holds only the experiments with bands: fix the colour
  // order to the page's, so the first experiment stays the first colour.
  if (banded) sortColours(template, [...new Set(charts.map((c) => c.label))]);
  template.datasets = {
    points: specs.flatMap((c) => c.spec.datasets.points.map((r) => ({ ...r, experiment: c.label }))),
    rules: specs.flatMap((c) =>
      (c.spec.datasets.rules ?? []).map((r) => ({
        ...r,
        experiment: c.label,
        label: specs.length > 1 ? `${c.label}: ${String(r.label ?? '')}` : r.label,
      })),
    ),
  };
  return template;
}

/** Sets the order of the `experiment` colour domain in every layer (Vega-Lite: sort as an array). */
function sortColours(spec: unknown, labels: string[]): void {
  const visit = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const o = v as { encoding?: { color?: { field?: unknown; sort?: unknown } }; layer?: unknown[] };
    if (o.encoding?.color?.field === 'experiment') o.encoding.color.sort = labels;
    if (Array.isArray(o.layer)) o.layer.forEach(visit);
  };
  visit(spec);
}
