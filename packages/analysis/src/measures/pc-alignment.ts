/**
 * Do the first-layer masks align with the leading principal components of each class's
 * pixel covariance? (Beyond the paper.) The covariances are those of the raw training
 * pixels of each class (the first `pcSamplesPerClass` images in file order; for the
 * Gaussian clone they are the crops' class covariances, the only thing the clone keeps).
 *
 * Definition. For class c let P_c project onto the span of its m = `pcComponents` leading
 * principal components (class-pca.ts). For node j with connected valid pixels S_j (k_j of
 * them), the mask vector b_j = 1_{S_j} / sqrt(k_j) and the weighted vector
 * a_j = (w ⊙ 1_{S_j}) / ||w ⊙ 1_{S_j}||. The alignment of node j with class c is
 * ||P_c b_j||² ∈ [0, 1] (the fraction of the unit mask vector inside the class's leading
 * subspace); a node's alignment is its maximum over classes (its best class), and the level
 * score is the mean over nodes with ≥ 3 connections. The weighted alignment uses a_j. The
 * null: the same nodes with their in-degrees (and weights) on uniformly random valid pixels
 * (the draws mask-shape uses). For reference, a random unit vector in D dimensions has
 * E||P_c v||² = m/D.
 */
import { Rng } from '@imp/artifacts';
import { metricVsU } from '../charts/metric-vs-u.ts';
import { classPCs, type ClassPCs } from '../class-pca.ts';
import { maskGridPng } from '../figures.ts';
import { num, type Measure } from '../measure.ts';
import { shapeInputs } from '../shape-inputs.ts';

/** Class PCs mapped to the analysis pixel space, pixel-major: VT[p·(C·m) + c·m + t]. */
interface Basis {
  pcs: ClassPCs;
  C: number;
  m: number;
  VT: Float64Array;
}

/**
 * Per node: max over classes of Σ_t (Σ_q v_ct[pos_q] · f_q)² / Σ_q f_q², with f = 1 (mask) or
 * w (weighted). Returns [alignment, best class, weighted alignment, best class] per node and
 * the per-class sums (for the per-class table).
 */
function alignNode(
  b: Basis,
  pos: ArrayLike<number>,
  w: Float32Array,
  from: number,
  to: number,
  acc: Float64Array,
  accW: Float64Array,
  perClass: Float64Array,
  perClassW: Float64Array,
): [number, number, number, number] {
  const Cm = b.C * b.m;
  acc.fill(0);
  accW.fill(0);
  let w2 = 0;
  for (let q = from; q < to; q++) {
    const o = pos[q]! * Cm;
    const wq = w[q]!;
    w2 += wq * wq;
    for (let i = 0; i < Cm; i++) {
      const v = b.VT[o + i]!;
      acc[i]! += v;
      accW[i]! += wq * v;
    }
  }
  const k = to - from;
  let best = -1,
    bestC = -1,
    bestW = -1,
    bestCW = -1;
  for (let c = 0; c < b.C; c++) {
    let s = 0,
      sw = 0;
    for (let t = 0; t < b.m; t++) {
      s += acc[c * b.m + t]! ** 2;
      sw += accW[c * b.m + t]! ** 2;
    }
    s /= k;
    sw = w2 > 0 ? sw / w2 : NaN;
    perClass[c]! += s;
    perClassW[c]! += sw;
    if (s > best) [best, bestC] = [s, c];
    if (sw > bestW) [bestW, bestCW] = [sw, c];
  }
  return [best, bestC, bestW, bestCW];
}

const SERIES = {
  mask: 'IMP mask',
  null: 'random mask, same in-degrees',
  mask_w: 'mask weighted by w',
  null_w: 'random positions, same weights',
} as const;

export const pcAlignment: Measure = {
  name: 'pc-alignment',
  description:
    "alignment of each first-layer mask with the leading principal components of each class's pixel covariance, ||P_c b||² maximised over classes, vs random masks with the same in-degrees (beyond the paper)",
  scalars: [
    {
      name: 'pc_alignment_mean',
      type: 'float',
      description:
        'mean over nodes of max_c ||P_c b_j||² (unit mask vector b_j in the top pcComponents PCs of class c)',
    },
    { name: 'pc_alignment_null', type: 'float', description: 'the same for random masks with the same in-degrees' },
    { name: 'pc_alignment_ratio', type: 'float', description: 'pc_alignment_mean / pc_alignment_null (1 = as random)' },
    {
      name: 'pc_alignment_w_mean',
      type: 'float',
      description: 'the same for the weighted vectors w ⊙ mask (unit norm)',
    },
    { name: 'pc_alignment_w_null', type: 'float', description: 'each node’s weights on random pixels' },
    { name: 'pc_alignment_w_ratio', type: 'float', description: 'pc_alignment_w_mean / pc_alignment_w_null' },
  ],
  tables: [
    {
      name: 'class_pcs',
      title: "Leading principal components of each class's pixel covariance",
      columns: [
        { name: 'class', type: 'int', description: 'class' },
        { name: 'component', type: 'int', description: 'component index (0 = largest)' },
        { name: 'eigenvalue', type: 'float', description: 'variance along the component' },
        { name: 'explained', type: 'float', description: "eigenvalue / the class's total pixel variance" },
        { name: 'samples', type: 'int', description: 'training images of the class used' },
        { name: 'vector', type: 'floatList', description: 'the unit component, in the analysis pixel space' },
      ],
    },
    {
      name: 'pc_alignment_nodes',
      title: 'Alignment of each first-layer mask with the class PCs',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'node', type: 'int', description: 'first-layer node' },
        { name: 'cin', type: 'int', description: 'connections on valid pixels' },
        { name: 'alignment', type: 'float', description: 'max over classes of ||P_c b||²' },
        { name: 'class', type: 'int', description: 'the class attaining it' },
        { name: 'alignment_w', type: 'float', description: 'the same for the weighted vector' },
        { name: 'class_w', type: 'int', description: 'the class attaining it' },
      ],
    },
    {
      name: 'pc_alignment_classes',
      title: 'Mean alignment with each class’s PCs, masks vs null',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'class', type: 'int', description: 'class' },
        { name: 'alignment', type: 'float', description: 'mean over nodes of ||P_c b||²' },
        { name: 'alignment_null', type: 'float', description: 'the same for the null masks' },
        { name: 'alignment_w', type: 'float', description: 'mean of the weighted alignment' },
        { name: 'alignment_w_null', type: 'float', description: 'the same for the weighted null' },
      ],
    },
  ],
  figures: [
    { id: 'pc_alignment_vs_u', levels: 'once', description: 'mean PC alignment of the masks and of the null vs u' },
    { id: 'class_pcs', levels: 'once', description: 'the leading PCs of each class (PNG; a row per class)' },
  ],
  start(x) {
    const { cfg, D, g } = x;
    const sample = x.ds.classSample;
    const C = x.ds.numClasses;
    const m = Math.min(cfg.pcComponents, D);
    let basis: Basis | null | undefined;
    const skipped = () =>
      cfg.pcSamplesPerClass === 0
        ? 'pcSamplesPerClass is 0'
        : C > cfg.pcMaxClasses
          ? `${C} classes > pcMaxClasses ${cfg.pcMaxClasses}`
          : 'no training images';
    return {
      level(lv, out) {
        if (basis === undefined) {
          basis = null;
          if (sample.y.length === 0) x.log(`pc-alignment skipped: ${skipped()}`);
          else {
            const pcs = out.time('class_pca', () => classPCs(sample.x, sample.y, D, C, m, new Rng(cfg.seed, 8000)));
            // Into the analysis pixel space, pixel-major for the per-point loop.
            const VT = new Float64Array(D * C * m);
            for (let c = 0; c < C; c++)
              for (let t = 0; t < m; t++)
                for (let i = 0; i < D; i++) VT[x.ds.origOf[i]! * C * m + c * m + t] = pcs.vectors[c]![t * D + i]!;
            basis = { pcs, C, m, VT };
            const planes: Float32Array[] = [];
            for (let c = 0; c < C; c++)
              for (let t = 0; t < m; t++) {
                const v = new Float64Array(D);
                for (let p = 0; p < D; p++) v[p] = VT[p * C * m + c * m + t]!;
                out.rows('class_pcs', {
                  class: c,
                  component: t,
                  eigenvalue: pcs.eigenvalues[c]![t]!,
                  explained: pcs.eigenvalues[c]![t]! / pcs.totalVariance[c]!,
                  samples: pcs.samples[c]!,
                  vector: v,
                });
                let lo = Infinity,
                  hi = -Infinity;
                for (const a of v) [lo, hi] = [Math.min(lo, a), Math.max(hi, a)];
                planes.push(Float32Array.from(v, (a) => (hi > lo ? (a - lo) / (hi - lo) : 0.5)));
              }
            out.figure({
              id: 'class_pcs',
              file: 'figures/class_pcs',
              title: 'Leading principal components per class',
              caption: `The ${m} leading principal components (columns, largest first) of each class's pixel covariance (rows, class 0 first), min–max normalised; from the first ${cfg.pcSamplesPerClass} training images of each class.`,
              png: maskGridPng(planes, g, m, cfg.maskScale * 2),
            });
          }
        }
        if (!basis) {
          for (const s of ['mean', 'null', 'ratio', 'w_mean', 'w_null', 'w_ratio'])
            out.scalar(`pc_alignment_${s}`, null);
          return;
        }
        const b = basis;
        const { pts, measured, nulls } = shapeInputs(x, lv);
        const acc = new Float64Array(C * m),
          accW = new Float64Array(C * m);
        const cls = new Float64Array(C),
          clsW = new Float64Array(C),
          clsN = new Float64Array(C),
          clsNW = new Float64Array(C);
        let sum = 0,
          sumW = 0,
          sumN = 0,
          sumNW = 0,
          nW = 0,
          nNW = 0;
        out.time('pc_alignment', () => {
          for (const j of measured) {
            const from = pts.start[j]!,
              to = pts.start[j + 1]!;
            const [a, c, aw, cw] = alignNode(b, pts.pos, pts.w, from, to, acc, accW, cls, clsW);
            sum += a;
            if (Number.isFinite(aw)) [sumW, nW] = [sumW + aw, nW + 1];
            out.rows('pc_alignment_nodes', {
              level: lv.level,
              node: j,
              cin: to - from,
              alignment: a,
              class: c,
              alignment_w: aw,
              class_w: cw,
            });
            for (const pos of nulls) {
              const [na, , naw] = alignNode(b, pos, pts.w, from, to, acc, accW, clsN, clsNW);
              sumN += na;
              if (Number.isFinite(naw)) [sumNW, nNW] = [sumNW + naw, nNW + 1];
            }
          }
        });
        const n = measured.length,
          S = nulls.length;
        for (let c = 0; c < C; c++)
          out.rows('pc_alignment_classes', {
            level: lv.level,
            class: c,
            alignment: cls[c]! / n,
            alignment_null: S ? clsN[c]! / (n * S) : NaN,
            alignment_w: clsW[c]! / n,
            alignment_w_null: S ? clsNW[c]! / (n * S) : NaN,
          });
        const mean = sum / n,
          meanW = sumW / nW,
          nul = sumN / (n * S),
          nulW = sumNW / nNW;
        out.scalar('pc_alignment_mean', num(mean));
        out.scalar('pc_alignment_null', S ? num(nul) : null);
        out.scalar('pc_alignment_ratio', S ? num(mean / nul) : null);
        out.scalar('pc_alignment_w_mean', num(meanW));
        out.scalar('pc_alignment_w_null', S ? num(nulW) : null);
        out.scalar('pc_alignment_w_ratio', S ? num(meanW / nulW) : null);
      },
      finish(levels, out) {
        if (!basis) return;
        out.figure({
          id: 'pc_alignment_vs_u',
          file: 'figures/pc_alignment_vs_u',
          title: 'Alignment of the masks with the class PCs vs u',
          caption: `Mean over first-layer nodes of max over classes of ||P_c b||², the fraction of the unit mask vector b (or of the unit weighted vector w ⊙ mask) inside the span of the ${m} leading principal components of class c's pixel covariance; dashed: the same nodes' in-degrees (and weights) on random pixels. A random direction gives ${(m / D).toPrecision(2)} (m/D).`,
          spec: metricVsU({
            title: 'Mask alignment with the class PCs vs u',
            yTitle: 'mean max_c ||P_c b||²',
            points: levels.flatMap((l) =>
              (
                [
                  [SERIES.mask, 'pc_alignment_mean'],
                  [SERIES.null, 'pc_alignment_null'],
                  [SERIES.mask_w, 'pc_alignment_w_mean'],
                  [SERIES.null_w, 'pc_alignment_w_null'],
                ] as const
              ).map(([series, key]) => ({
                experiment: 'IMP',
                series,
                level: l.level,
                u: 100 * l.u!,
                value: l[key] ?? null,
                best: l.level === x.bestLevel,
              })),
            ),
          }),
        });
      },
      summary: () => ({
        pc_alignment: basis
          ? { components: m, samples_per_class: basis.pcs.samples, classes: C }
          : { skipped: skipped() },
      }),
    };
  },
};
