import { metricVsU } from '../charts/metric-vs-u.ts';
import type { LevelContext } from '../context.ts';
import { num, type Measure } from '../measure.ts';
import { iprPerNode, mean } from '../measures.ts';

/** IPR_j = Σw⁴/(Σw²)² of w = W1⊙M1 per first-layer node (spec §4, follow-up); shared with the nodes table. */
export const iprOf = (lv: LevelContext) => lv.memo('ipr', () => iprPerNode(lv.W1, lv.mask1, lv.dims[0]!, lv.h1));

export const ipr: Measure = {
  name: 'ipr',
  description: 'inverse participation ratio of the first-layer weights (spec §4, follow-up measure)',
  scalars: [{ name: 'ipr_mean', type: 'float', description: 'mean IPR of W1⊙M1 over nodes with any weight' }],
  figures: [{ id: 'ipr_vs_u', levels: 'once', description: 'mean IPR vs u (log y)' }],
  start(x) {
    return {
      level(lv, out) {
        out.scalar('ipr_mean', num(mean(iprOf(lv))));
      },
      finish(levels, out) {
        out.figure({
          id: 'ipr_vs_u',
          file: 'figures/ipr_vs_u',
          title: 'Mean IPR vs u',
          caption:
            'Mean inverse participation ratio IPR_j = Σw⁴/(Σw²)² of first-layer nodes (w = W1⊙M1) per level; 1/C^in for equal weights, larger for weights concentrated on few inputs.',
          spec: metricVsU({
            title: 'Mean IPR of first-layer weights vs u',
            yTitle: 'mean IPR',
            yLog: true,
            points: levels.map((l) => ({
              experiment: 'IMP',
              series: 'mean IPR of W1⊙M1',
              level: l.level,
              u: 100 * l.u!,
              value: l.ipr_mean ?? null,
              best: l.level === x.bestLevel,
            })),
          }),
        });
      },
    };
  },
};
