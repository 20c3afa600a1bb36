import { lineChart } from '../charts/lines.ts';
import { metricVsU, type MetricPoint } from '../charts/metric-vs-u.ts';
import { num, type Measure } from '../measure.ts';

/** Accuracy vs u (spec §5.1): best and final val top-1 per level from the metrics artifacts; training curves. */
export const accuracy: Measure = {
  name: 'accuracy',
  description: 'best / final val top-1 per level vs u (spec §5.1), training curves of the detail levels',
  scalars: [
    {
      name: 'best_val_top1',
      type: 'float',
      format: 'percent',
      description: 'best val top-1 during training of the level',
    },
    { name: 'final_val_top1', type: 'float', format: 'percent', description: 'val top-1 at the last training step' },
  ],
  figures: [
    { id: 'accuracy_vs_u', levels: 'once', description: 'best and final val top-1 vs u, dense line, best level' },
    { id: 'train_val', levels: 'detail', description: 'train/val top-1 error vs step' },
  ],
  start(x) {
    return {
      level(lv, out) {
        const m = x.metrics.get(lv.level);
        out.scalar('best_val_top1', num(m?.best_val_top1 ?? NaN));
        out.scalar('final_val_top1', num(m?.final_val_top1 ?? NaN));
        const rows = m?.rows ?? [];
        if (!lv.isDetail || !rows.length) return;
        const curve = (split: string) =>
          rows.filter((r) => r.split === split && r.metric === 'top1').sort((a, b) => a.step - b.step);
        out.figure({
          id: 'train_val',
          file: `figures/train_val_L${lv.level}`,
          title: `Train/val error, level ${lv.level}`,
          caption: `Top-1 error vs training step of level ${lv.level} (from its metrics artifact).`,
          level: lv.level,
          spec: lineChart({
            title: `Training curves, level ${lv.level}`,
            x: { title: 'step' },
            y: { title: 'top-1 error' },
            markers: false,
            points: (['train', 'val'] as const).flatMap((s) =>
              curve(s).map((r) => ({ series: s, x: r.step, y: 1 - r.value })),
            ),
          }),
        });
      },
      finish(levels, out) {
        const dense = levels.find((l) => l.level === 0);
        const points: MetricPoint[] = levels.flatMap((l) =>
          (['best_val_top1', 'final_val_top1'] as const).map((key) => ({
            experiment: 'IMP',
            series: key === 'best_val_top1' ? 'best val.' : 'final step',
            level: l.level,
            u: 100 * l.u!,
            value: l[key],
            best: key === 'best_val_top1' && l.level === x.bestLevel,
          })),
        );
        out.figure({
          id: 'accuracy_vs_u',
          file: 'figures/accuracy_vs_u',
          title: 'Best val. accuracy vs u',
          caption:
            'Best validation top-1 per IMP level vs percentage of unpruned weights (log, reversed as in the paper); square = best level, dotted line = dense network.',
          spec: metricVsU({
            title: 'Accuracy vs fraction of weights left',
            yTitle: 'val. top-1 accuracy',
            points,
            rules:
              dense?.best_val_top1 != null ? [{ experiment: 'IMP', label: 'dense', value: dense.best_val_top1 }] : [],
          }),
        });
      },
    };
  },
};
