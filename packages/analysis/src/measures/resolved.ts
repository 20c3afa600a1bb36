import { smapFigure } from '../figures.ts';
import type { Measure } from '../measure.ts';
import { degreeGroups } from '../measures.ts';
import { computeSMaps, localFraction } from '../smap.ts';

/** Connection-resolved S^sc (spec §4(d)): first-layer nodes grouped by in-degree, one map and ratio per group. */
export const resolved: Measure = {
  name: 'resolved',
  description: 'connection-resolved S^sc and locality ratio per in-degree bin (spec §4(d)), detail levels',
  tables: [
    {
      name: 'resolved',
      title: 'Connection-resolved locality (detail levels)',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'bin', type: 'int', description: 'in-degree bin index' },
        { name: 'lo', type: 'int', description: 'lowest in-degree in the bin (inclusive)' },
        { name: 'hi', type: 'int', description: 'highest in-degree in the bin (inclusive)' },
        { name: 'nodes', type: 'int', description: 'first-layer nodes in the bin' },
        { name: 'locality_ratio', type: 'float', description: 'locality ratio of the bin’s S^sc vs the uniform null' },
      ],
    },
  ],
  figures: [{ id: 'cin_resolved', levels: 'detail', description: 'S^sc per in-degree bin' }],
  start(x) {
    const { cfg, g, valid, cap } = x;
    return {
      level(lv, out) {
        if (!lv.isDetail) return;
        const k = lv.level;
        const { groups, bins } = degreeGroups(lv.deg1v, cfg.resolvedBinWidth, cfg.resolvedPanels);
        if (!bins.length) return;
        const parts = computeSMaps(lv.conn1, g, { valid, groups, nGroups: bins.length });
        const fracU = localFraction(cap.sc, cfg.r);
        bins.forEach((b, i) => {
          out.rows('resolved', {
            level: k,
            bin: i,
            lo: b.lo,
            hi: b.hi - 1,
            nodes: b.nodes,
            locality_ratio: localFraction(parts[i]!.sc, cfg.r) / fracU,
          });
          const m = parts[i]!.sc;
          out.rows('smaps', { level: k, layer: 1, map: `sc_resolved_${i}`, height: m.h, width: m.w, values: m.data });
        });
        out.figure({
          id: 'cin_resolved',
          file: `figures/cin_resolved_L${k}`,
          title: `Connection-resolved S^sc, level ${k}`,
          caption: `S^sc(d) of first-layer nodes grouped by in-degree C^in (label: in-degree range (nodes)); each panel scaled to its own maximum. Spec §4(d).`,
          level: k,
          spec: smapFigure(
            parts.map((p, i) => ({ map: p.sc, label: `${bins[i]!.lo}-${bins[i]!.hi - 1} (${bins[i]!.nodes})` })),
            Math.max(1, cfg.mapScale - 1),
            6,
          ),
        });
      },
    };
  },
};
