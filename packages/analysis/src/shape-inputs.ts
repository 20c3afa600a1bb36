// What the two mask-shape measures (measures/mask-shape.ts, measures/pc-alignment.ts) share
// per level: each node's connected pixels and the null draws of random masks with the same
// in-degrees, computed once through the level memo.
import { Rng } from '@imp/artifacts';
import type { ExperimentContext, LevelContext } from './context.ts';
import { drawSubset, nodePoints, type NodePoints } from './shape-stats.ts';

/** Fewer points have no meaningful second moments. */
export const MIN_SHAPE_POINTS = 3;

/** What both shape measures need per level: the nodes' connections and the null draws. */
export interface ShapeInputs {
  pts: NodePoints;
  /** Nodes with at least MIN_SHAPE_POINTS connections on valid pixels. */
  measured: number[];
  /** Per null sample: positions aligned with pts.pos (node j's draw fills start[j]..start[j+1]). */
  nulls: Int32Array[];
}

/** Shared through the level memo (pc-alignment reads the same points and null draws). */
export const shapeInputs = (x: ExperimentContext, lv: LevelContext): ShapeInputs =>
  lv.memo('shape-inputs', () => {
    const pts = nodePoints(lv.W1, lv.mask1, x.D, lv.h1, x.ds.origOf, x.valid);
    const measured: number[] = [];
    for (let j = 0; j < pts.nodes; j++) if (pts.start[j + 1]! - pts.start[j]! >= MIN_SHAPE_POINTS) measured.push(j);
    const pool = validPool(x);
    // One stream per level: a level's null does not depend on which other levels are analysed.
    const rng = new Rng(x.cfg.seed, 9000 + lv.level);
    const nulls = Array.from({ length: x.cfg.shapeNullSamples }, () => {
      const pos = new Int32Array(pts.pos.length);
      for (const j of measured) drawSubset(rng, pool, pts.start[j + 1]! - pts.start[j]!, pos, pts.start[j]!);
      return pos;
    });
    return { pts, measured, nulls };
  });

export function validPool(x: ExperimentContext): Int32Array {
  const out: number[] = [];
  for (let p = 0; p < x.D; p++) if (!x.valid || x.valid[p]) out.push(p);
  return Int32Array.from(out);
}
