import type { Measure } from '../measure.ts';

/** u, the fraction of weights left (spec §3.2: 0.7^level for IMP at 30 % per level), overall and in W1. */
export const density: Measure = {
  name: 'density',
  description: 'fraction of weights left u, from the masks (level 0 = 1)',
  scalars: [
    {
      name: 'u',
      type: 'float',
      format: 'percent',
      description: 'kept fraction of all pruned weight matrices (level 0 = 1)',
    },
    { name: 'u_layer1', type: 'float', format: 'percent', description: 'kept fraction of W1' },
  ],
  start: () => ({
    level(lv, out) {
      out.scalar('u', lv.u);
      out.scalar('u_layer1', lv.u1);
    },
  }),
};
