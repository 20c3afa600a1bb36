import { histogramChart } from '../charts/lines.ts';
import { inDegrees } from '../connectivity.ts';
import type { Measure } from '../measure.ts';
import { inDegreeHistogram, mean, std } from '../measures.ts';
import { iprOf } from './ipr.ts';

/** C^in, connected inputs per node (spec §4(b)), its histogram against the binomial, and the per-node table. */
export const cin: Measure = {
  name: 'cin',
  description: 'in-degree C^in per node and its histogram vs the binomial expectation (spec §4(b))',
  scalars: [
    { name: 'cin_mean', type: 'float', description: 'mean C^in of first-layer nodes (all inputs)' },
    { name: 'cin_std', type: 'float', description: 'standard deviation of C^in' },
    { name: 'alive_nodes', type: 'int', description: 'first-layer nodes with at least one input' },
  ],
  tables: [
    {
      name: 'nodes',
      title: 'Per-node in-degree and IPR',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'layer', type: 'int', description: 'hidden layer (effective connectivity for ℓ > 1)' },
        { name: 'node', type: 'int', description: 'node index' },
        { name: 'cin', type: 'int', description: 'connected inputs' },
        { name: 'cin_valid', type: 'int', description: 'connected non-constant inputs' },
        { name: 'ipr', type: 'float', description: 'IPR of W1⊙M1 (layer 1 only)' },
      ],
    },
    {
      name: 'cin_hist',
      title: 'C^in histogram with binomial expectation',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'lo', type: 'int', description: 'bin start (inclusive)' },
        { name: 'hi', type: 'int', description: 'bin end (exclusive)' },
        { name: 'count', type: 'int', description: 'first-layer nodes in the bin' },
        { name: 'expected_binomial', type: 'float', description: 'nodes · P(Binomial(D, u1) ∈ bin)' },
      ],
    },
  ],
  figures: [{ id: 'cin_hist', levels: 'detail', description: 'C^in histogram (log counts) and binomial expectation' }],
  start(x) {
    const { D, valid, cfg } = x;
    return {
      level(lv, out) {
        const k = lv.level;
        const ipr = iprOf(lv);
        for (let l = 1; l <= lv.nLayers; l++) {
          const dl = l === 1 ? lv.deg1 : inDegrees(lv.conns[l - 1]!);
          const dlv = l === 1 ? lv.deg1v : valid ? inDegrees(lv.conns[l - 1]!, valid) : dl;
          for (let j = 0; j < dl.length; j++)
            out.rows('nodes', {
              level: k,
              layer: l,
              node: j,
              cin: dl[j]!,
              cin_valid: dlv[j]!,
              ipr: l === 1 ? ipr[j]! : NaN,
            });
        }
        const hist = inDegreeHistogram(lv.deg1, D, lv.u1, cfg.cinBinWidth);
        out.rows(
          'cin_hist',
          ...hist.map((b) => ({ level: k, lo: b.lo, hi: b.hi, count: b.count, expected_binomial: b.expected })),
        );
        out.scalar('cin_mean', mean(lv.deg1));
        out.scalar('cin_std', std(lv.deg1));
        out.scalar(
          'alive_nodes',
          lv.deg1.reduce((a, v) => a + (v > 0 ? 1 : 0), 0),
        );
        if (!lv.isDetail) return;
        out.figure({
          id: 'cin_hist',
          file: `figures/cin_hist_L${k}`,
          title: `C^in histogram, level ${k}`,
          caption: `In-degree of first-layer nodes (bin width ${cfg.cinBinWidth}, log counts) vs the binomial expectation for a random mask of the same density. Mean ${mean(lv.deg1).toFixed(1)}.`,
          level: k,
          spec: histogramChart({
            title: `In-degree histogram, level ${k}`,
            xTitle: 'C^in,1 (connected inputs per first-layer node)',
            bins: hist,
            barLabel: 'IMP mask',
            lineLabel: `binomial(${D}, u=${lv.u1.toPrecision(3)})`,
          }),
        });
      },
    };
  },
};
