import type { LevelRow } from './analysis-summary.ts';
import { lineChartSvg, type Series } from './svg-chart.ts';

/** One experiment's per-level scalars, as the charts need them. */
export interface CurveSet {
  label: string;
  levels: LevelRow[];
  bestLevel: number | null;
}

const pctFmt = (v: number) => `${Number(v.toPrecision(3))}`;

/**
 * u is a fraction of surviving weights in the analysis summary; the paper plots it as
 * a percentage on a reversed log axis (spec §5.1), so pruning proceeds to the right.
 */
function seriesOf(
  sets: CurveSet[],
  key: keyof LevelRow,
  opts: { dashed?: boolean; suffix?: string; colorOffset?: number } = {},
): Series[] {
  return sets.map((s) => {
    const pts = s.levels.filter((l) => typeof l.u === 'number' && (l.u as number) > 0);
    const hi = pts.findIndex((l) => l.level === s.bestLevel);
    return {
      label: `${s.label}${opts.suffix ?? ''}`,
      points: pts.map((l) => ({ x: (l.u as number) * 100, y: l[key] as number | null | undefined })),
      highlight: hi >= 0 ? hi : undefined,
      dashed: opts.dashed,
    };
  });
}

export interface ChartSpec {
  id: string;
  title: string;
  svg: string;
}

/** The standard charts: accuracy, locality ratio(s), r_half and IPR against u. */
export function standardCharts(sets: CurveSet[]): ChartSpec[] {
  const common = { xLabel: 'unpruned weights u (%)', xLog: true, xReversed: true, xTickFormat: pctFmt } as const;
  const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
  const withColors = (ss: Series[]) => ss.map((s, i) => ({ ...s, color: palette[i % palette.length] }));
  const locality = withColors(seriesOf(sets, 'locality_ratio'));
  const strict = withColors(seriesOf(sets, 'locality_ratio_strict', { dashed: true, suffix: ' (strict)' }));
  const hasStrict = strict.some((s) => s.points.some((p) => typeof p.y === 'number'));
  return [
    {
      id: 'accuracy',
      title: 'Best val. top-1 accuracy vs u',
      svg: lineChartSvg(withColors(seriesOf(sets, 'best_val_top1')), {
        ...common,
        title: 'Best val. top-1 accuracy vs u',
        yLabel: 'best val. top-1',
      }),
    },
    {
      id: 'locality',
      title: 'Locality ratio vs u',
      svg: lineChartSvg(hasStrict ? [...locality, ...strict] : locality, {
        ...common,
        title: hasStrict ? 'Locality ratio (solid) and strict (dashed) vs u' : 'Locality ratio vs u',
        yLabel: 'locality ratio',
      }),
    },
    {
      id: 'r_half',
      title: 'Half-max radius r½ of S^sc vs u',
      svg: lineChartSvg(withColors(seriesOf(sets, 'r_half')), {
        ...common,
        title: 'Half-max radius r½ of Sˢᶜ vs u',
        yLabel: 'r½ (pixels)',
      }),
    },
    {
      id: 'ipr',
      title: 'Mean IPR of first-layer weights vs u',
      svg: lineChartSvg(withColors(seriesOf(sets, 'ipr_mean')), {
        ...common,
        title: 'Mean IPR of first-layer weights vs u',
        yLabel: 'mean IPR',
        yLog: true,
      }),
    },
  ];
}
