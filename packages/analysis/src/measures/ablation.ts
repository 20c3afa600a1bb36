import { lineChart } from '../charts/lines.ts';
import { num, type Measure } from '../measure.ts';
import type { AblationMode } from '../measures.ts';
import { ablate } from '../node-ablation.ts';

const MODE_LABEL: Record<AblationMode, string> = { max: 'most connected', min: 'least connected', rand: 'random' };

/** Node ablation (spec §4(g)): val top-1 after removing the most / least connected or random first-layer nodes. */
export const ablation: Measure = {
  name: 'ablation',
  description: 'val top-1 vs first-layer nodes removed, most/least connected or random (spec §4(g))',
  scalars: [
    {
      name: 'eval_val_top1',
      type: 'float',
      format: 'percent',
      description: 'val top-1 of our forward pass (ablation levels only)',
    },
  ],
  tables: [
    {
      name: 'ablation',
      title: 'Node ablation (ablation levels)',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'mode', type: 'str', description: 'max (most connected first), min, rand' },
        { name: 'removed', type: 'int', description: 'first-layer nodes removed' },
        { name: 'removed_fraction', type: 'float', description: 'removed / layer width' },
        { name: 'top1', type: 'float', description: 'val top-1 (mean over repeats for rand)' },
        { name: 'top1_std', type: 'float', description: 'standard deviation over the random repeats' },
      ],
    },
  ],
  figures: [{ id: 'ablation', levels: 'ablation', description: 'val top-1 vs nodes removed' }],
  start(x) {
    const { cfg, all } = x;
    const ablationLevels = cfg.ablationLevels.length
      ? cfg.ablationLevels.filter((k) => all.includes(k))
      : [x.bestLevel];
    return {
      level(lv, out) {
        const k = lv.level;
        const abl = ablationLevels.includes(k)
          ? out.time('ablation', () => ablate(lv.P, lv.M, x.ds, lv.deg1, cfg, k, x.log))
          : null;
        out.scalar('eval_val_top1', num(abl?.base ?? NaN));
        if (!abl) return;
        out.rows('ablation', ...abl.rows.map((r) => ({ level: k, ...r })));
        out.figure({
          id: 'ablation',
          file: `figures/ablation_L${k}`,
          title: `Node ablation, level ${k}`,
          caption: `Val top-1 after zeroing the incoming weights of the s most / least connected or random first-layer nodes (bias kept), BN running statistics, ${abl.n} val images. Sizes ${cfg.ablationSizes.join(',')} per ${cfg.ablationReferenceWidth} nodes scaled to ${lv.h1}.`,
          level: k,
          spec: lineChart({
            title: `Node ablation, level ${k}`,
            x: { title: 'first-layer nodes removed' },
            y: { title: 'val top-1 accuracy', domain: [0, Math.max(0.01, abl.base * 1.1)] },
            points: abl.rows.map((r) => ({ series: MODE_LABEL[r.mode as AblationMode], x: r.removed, y: r.top1 })),
          }),
        });
      },
      summary: () => ({ ablation_levels: ablationLevels }),
    };
  },
};
