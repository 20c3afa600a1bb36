import { Rng } from '@imp/artifacts';
import { PhotoSourceError } from './errors.ts';

/**
 * The natural-patch task: class = photograph (or folder of photographs), input =
 * an L×L crop of it. Crops for training come from the top rows of each photo and
 * validation crops from the bottom rows, so no validation pixel is ever seen in
 * training (otherwise overlapping crops would leak and val accuracy would measure
 * memorisation, not the generalisation that spec §4's val curves report).
 */

/** A photograph as channel planes, chw, values in [0, 1]. */
export interface PhotoPlanes {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

export interface PatchOptions {
  /** Crop side L. */
  size: number;
  trainPerClass: number;
  valPerClass: number;
  /** Fraction of each photo's rows (at the bottom) reserved for validation crops. */
  valFraction: number;
  /** Per-crop standardisation: subtract the crop mean, divide by its std (floored at STD_FLOOR). */
  standardize: boolean;
  seed: number;
}

/**
 * Std floor of the per-crop standardisation, in [0,1] intensity units: one 8-bit grey
 * level. A flat crop (sky, saturated areas) is then only centred and scaled by 255,
 * instead of blowing its quantisation noise up to unit variance.
 */
export const STD_FLOOR = 1 / 255;

/** Rng streams, fixed so that changing the val counts never changes the train crops. */
export const STREAM_TRAIN = 0x7001;
export const STREAM_VAL = 0x7002;

export interface SplitPatches {
  /** n × (channels·L·L), chw per crop, float32. */
  x: Float32Array;
  y: Int32Array;
  /** n × 3: photo index within its class, top row, left column (for tests and audits; not written). */
  origins: Int32Array;
  /** Crops whose std fell below STD_FLOOR. */
  floored: number;
}

/** Rows [0, trainRows) feed training crops, rows [trainRows, height) validation crops. */
export function trainRows(height: number, valFraction: number): number {
  return Math.floor(height * (1 - valFraction));
}

interface Region {
  photo: number;
  row0: number;
  nRows: number;
  nCols: number;
}

function regions(
  photos: PhotoPlanes[],
  split: 'train' | 'val',
  size: number,
  valFraction: number,
  names: string[],
): Region[] {
  return photos.map((p, i) => {
    const t = trainRows(p.height, valFraction);
    const [lo, hi] = split === 'train' ? [0, t] : [t, p.height];
    if (hi - lo < size || p.width < size)
      throw new PhotoSourceError(
        `photos: ${names[i]} (${p.width}x${p.height}) is too small for ${size}x${size} ${split} crops: ` +
          `its ${split} band has ${hi - lo} rows (valFraction ${valFraction}); use a smaller patch or a larger photo`,
      );
    return { photo: i, row0: lo, nRows: hi - lo - size + 1, nCols: p.width - size + 1 };
  });
}

function sampleSplit(
  classes: PhotoPlanes[][],
  names: string[][],
  split: 'train' | 'val',
  perClass: number,
  o: PatchOptions,
): SplitPatches {
  const L = o.size;
  const C = classes[0]![0]!.channels;
  const D = C * L * L;
  const k = classes.length;
  const n = perClass * k;
  const rng = new Rng(o.seed, split === 'train' ? STREAM_TRAIN : STREAM_VAL);
  // Exact class counts, in a seeded random order (consumers taking a prefix still see every class).
  const y = new Int32Array(n);
  for (let c = 0; c < k; c++) y.fill(c, c * perClass, (c + 1) * perClass);
  rng.shuffle(y);

  const regs = classes.map((ph, c) => regions(ph, split, L, o.valFraction, names[c]!));
  // Positions are uniform over every valid top-left corner of every photo of the class.
  const cum = regs.map((rs) => {
    const a = new Float64Array(rs.length + 1);
    rs.forEach((r, i) => (a[i + 1] = a[i]! + r.nRows * r.nCols));
    return a;
  });

  const x = new Float32Array(n * D);
  const origins = new Int32Array(n * 3);
  let floored = 0;
  for (let i = 0; i < n; i++) {
    const c = y[i]!;
    const cs = cum[c]!;
    let j = rng.int(cs[cs.length - 1]!);
    let p = 0;
    while (j >= cs[p + 1]!) p++;
    j -= cs[p]!;
    const reg = regs[c]![p]!;
    const r0 = reg.row0 + Math.floor(j / reg.nCols);
    const c0 = j % reg.nCols;
    origins[3 * i] = p;
    origins[3 * i + 1] = r0;
    origins[3 * i + 2] = c0;
    const img = classes[c]![p]!;
    const W = img.width;
    const plane = img.height * W;
    const base = i * D;
    let s = 0;
    let s2 = 0;
    for (let ch = 0; ch < C; ch++) {
      for (let r = 0; r < L; r++) {
        const src = ch * plane + (r0 + r) * W + c0;
        const dst = base + ch * L * L + r * L;
        for (let q = 0; q < L; q++) {
          const v = img.data[src + q]!;
          x[dst + q] = v;
          s += v;
          s2 += v * v;
        }
      }
    }
    if (o.standardize) {
      const mean = s / D;
      const sd = Math.sqrt(Math.max(0, s2 / D - mean * mean));
      if (sd < STD_FLOOR) floored++;
      const inv = 1 / Math.max(sd, STD_FLOOR);
      for (let d = base; d < base + D; d++) x[d] = (x[d]! - mean) * inv;
    }
  }
  return { x, y, origins, floored };
}

/**
 * Samples the train and val crops of every class. `classes[c]` are the photos of
 * class c (all with the same channel count); `names[c][p]` label them in errors.
 */
export function samplePatches(
  classes: PhotoPlanes[][],
  names: string[][],
  o: PatchOptions,
): { train: SplitPatches; val: SplitPatches } {
  if (!(o.valFraction > 0 && o.valFraction < 1))
    throw new PhotoSourceError(`photos: valFraction must be in (0, 1), got ${o.valFraction}`);
  const C = classes[0]?.[0]?.channels;
  if (!C || classes.some((ph) => ph.length === 0 || ph.some((p) => p.channels !== C)))
    throw new PhotoSourceError('photos: every class needs at least one photo, all with the same channel count');
  return {
    train: sampleSplit(classes, names, 'train', o.trainPerClass, o),
    val: sampleSplit(classes, names, 'val', o.valPerClass, o),
  };
}
