/**
 * Where the different-channel map S^dc peaks (spec §5.2: "S^dc(d): maximum at d = 0 (a node
 * that connects to a pixel tends to connect to the same pixel in other colour channels)").
 * peak ratio = S^dc(0) / max over d ≠ 0 of S^dc(d): above 1 iff the map peaks at d = 0. The
 * uniform null's map is a pyramid that also peaks at 0, weakly (W/(W−1) for all pixels
 * valid), so the ratio is read against the same ratio of the exact uniform expectation.
 * Colour data only (one channel has no S^dc); reads the layer-1 maps of `locality`.
 */
import { num, type Measure } from '../measure.ts';
import type { DMap } from '../smap.ts';
import type { Layer1Maps } from './locality.ts';

/** S^dc(0) / max_{d≠0} S^dc(d); NaN for an empty map, Infinity if only d = 0 is filled. */
export function peakRatio(m: DMap): number {
  const centre = (m.h >> 1) * m.w + (m.w >> 1);
  let other = 0;
  for (let i = 0; i < m.data.length; i++) if (i !== centre && m.data[i]! > other) other = m.data[i]!;
  return m.data[centre]! / other;
}

export const sdcPeak: Measure = {
  name: 'sdc-peak',
  description: 'whether the different-channel map S^dc peaks at d = 0, against the uniform null (spec §5.2)',
  scalars: [
    {
      name: 'sdc_peak_ratio',
      type: 'float',
      description: 'S^dc(0) / max over d ≠ 0 of S^dc(d), layer 1 (> 1: peak at d = 0; colour data only)',
    },
    {
      name: 'sdc_peak_ratio_uniform',
      type: 'float',
      description: 'the same for the exact uniform-null expectation (a pyramid: W/(W−1) when every pixel is valid)',
    },
  ],
  start(x) {
    return {
      level(lv, out) {
        if (x.g.channels < 2) {
          out.scalar('sdc_peak_ratio', null);
          out.scalar('sdc_peak_ratio_uniform', null);
          return;
        }
        const maps = lv.memo<Layer1Maps>('layer1Maps', () => {
          throw new Error("sdc-peak needs the layer-1 maps of the 'locality' measure (registered before it)");
        });
        out.scalar('sdc_peak_ratio', num(peakRatio(maps.s.dc)));
        out.scalar('sdc_peak_ratio_uniform', num(peakRatio(maps.uniform.dc)));
      },
    };
  },
};
