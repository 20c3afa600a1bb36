/**
 * Comparison overlays of the analysis' "metric vs u" charts. Each such spec keeps its
 * data in `datasets.points` (experiment, series, level, u, value, best) and
 * `datasets.rules`, coloured by `experiment`; an overlay is the first experiment's spec
 * with the rows of every experiment, relabelled with the experiment's name. So the
 * comparison page draws with the analysis' own chart builders, through data.
 */
import { ArtifactError } from '@imp/artifacts';

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
  const template = structuredClone(specs[0]!.spec);
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
