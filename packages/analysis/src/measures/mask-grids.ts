import { inDegrees, connectivityFromMask } from '../connectivity.ts';
import { binaryPlanes, maskGridPng, weightedPlanes } from '../figures.ts';
import { loadLevel } from '../experiment-inputs.ts';
import { pct, type Measure } from '../measure.ts';
import { topNodes } from '../measures.ts';

/**
 * Mask grids (spec §4(f)): binary masks and mask⊙weight of the topN most connected
 * first-layer nodes at the detail levels, and the evolution of a fixed node set across
 * levels (the authors' movie, spec §5.3). PNG rasters: one pixel per input pixel matters.
 */
export const maskGrids: Measure = {
  name: 'mask-grids',
  description: 'binary and weighted masks of the most connected nodes, and their evolution (spec §4(f), §5.3)',
  figures: [
    { id: 'masks', levels: 'detail', description: 'binary masks of the topN most connected nodes (PNG)' },
    { id: 'masks_weighted', levels: 'detail', description: 'mask ⊙ weight of the same nodes (PNG)' },
    { id: 'evolution', levels: 'evolution', description: 'mask ⊙ weight of a fixed node set per level (PNG)' },
  ],
  start(x) {
    const { cfg, g, all, D } = x;
    const evoLevels = cfg.evolutionLevels.length ? cfg.evolutionLevels.filter((k) => all.includes(k)) : all;
    const refLevel = cfg.evolutionReference === 'best' ? x.bestLevel : all[all.length - 1]!;
    // Fixed node set for the evolution grids, chosen once at the reference level.
    const ref = loadLevel(
      x.levels.find((l) => l.level === refLevel)!,
      x.ds.layout,
    );
    const h1Ref = ref.params.dims[1]!;
    const refMask = ref.mask.get('W1');
    const refNodes = topNodes(
      refMask ? inDegrees(connectivityFromMask(refMask, D, h1Ref)) : new Int32Array(h1Ref).fill(D),
      cfg.topN,
    );
    const grid = (planes: Float32Array[]) => maskGridPng(planes, g, cfg.gridColumns, cfg.maskScale);
    return {
      level(lv, out) {
        const k = lv.level;
        if (evoLevels.includes(k)) {
          const nodes = refNodes.filter((j) => j < lv.h1);
          out.figure({
            id: 'evolution',
            file: `figures/evolution/weighted_L${k}`,
            title: `Weighted masks, level ${k} (fixed nodes)`,
            caption: `mask ⊙ weight (min–max per node) of the ${nodes.length} most connected first-layer nodes at level ${refLevel} (${cfg.evolutionReference} level), shown at level ${k} (u = ${pct(lv.u)} %). Grey = 0.`,
            level: k,
            png: grid(nodes.map((j) => weightedPlanes(lv.W1, lv.mask1, lv.h1, j, x.ds.origOf))),
          });
        }
        if (!lv.isDetail) return;
        const top = topNodes(lv.deg1, cfg.topN);
        out.figure({
          id: 'masks',
          file: `figures/masks_L${k}`,
          title: `Masks of the ${top.length} most connected nodes, level ${k}`,
          caption: `Binary first-layer masks (RGB = colour channels), nodes sorted by in-degree (spec §4(f)).`,
          level: k,
          png: grid(top.map((j) => binaryPlanes(lv.conn1, j))),
        });
        out.figure({
          id: 'masks_weighted',
          file: `figures/masks_weighted_L${k}`,
          title: `Weighted masks of the ${top.length} most connected nodes, level ${k}`,
          caption: `mask ⊙ weight, min–max normalised per node (grey = 0).`,
          level: k,
          png: grid(top.map((j) => weightedPlanes(lv.W1, lv.mask1, lv.h1, j, x.ds.origOf))),
        });
      },
      summary: () => ({ evolution: { reference_level: refLevel, nodes: refNodes.length, levels: evoLevels } }),
    };
  },
};
