/**
 * A synthetic IMP experiment for tests and the benchmark: a dataset artifact and
 * params/mask/metrics artifacts per level, with first-layer masks that get sparser
 * and more local level by level (nodes draw inputs from a mix of uniform and a
 * Gaussian blob around a per-node centre). Not a trained network: accuracies are
 * whatever random weights give; metrics are a made-up curve peaking mid-way.
 */
import { join } from 'node:path';
import {
  Rng,
  writeArtifact,
  writeDatasetSplit,
  writeMetricsFile,
  writeTensorFile,
  type MetricRow,
} from '@imp/artifacts';

export interface SyntheticOptions {
  channels: number;
  height: number;
  width: number;
  hidden: number[];
  classes: number;
  levels: number; // levels 0..levels-1
  nTrain: number;
  nVal: number;
  /** Fraction of weights kept per level (u_k = keep^k). */
  keep: number;
  /** Border width of always-zero pixels (constant pixels, as MNIST's border). */
  border: number;
  permute?: boolean;
  seed: number;
}

export const QUICK: SyntheticOptions = {
  channels: 1,
  height: 28,
  width: 28,
  hidden: [300, 100],
  classes: 10,
  levels: 10,
  nTrain: 2000,
  nVal: 10000,
  keep: 0.6,
  border: 2,
  seed: 1,
};

export interface SyntheticExperiment {
  inputs: Record<string, string>;
  /** Per node centre (y, x) of level-(levels−1) masks, for checks. */
  dims: number[];
}

const ident = (role: string, kind: 'dataset' | 'parameters' | 'mask' | 'metrics', config: unknown) => ({
  kind,
  role,
  stage: 'synthetic',
  algoVersion: '1',
  config,
  upstream: {},
});

export async function makeSyntheticExperiment(store: string, o: SyntheticOptions): Promise<SyntheticExperiment> {
  const rng = new Rng(o.seed, 0);
  const { channels: C, height: H, width: W } = o;
  const HW = H * W;
  const D = C * HW;
  const dims = [D, ...o.hidden, o.classes];
  const inputs: Record<string, string> = {};

  // Dataset: blobs on a black border (border pixels are exactly 0 ⇒ zero variance).
  const perm = o.permute ? rng.shuffle(Int32Array.from({ length: D }, (_, i) => i)) : null;
  const images = (n: number) => {
    const x = new Uint8Array(n * D);
    const y = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      y[s] = rng.int(o.classes);
      const cy = 4 + rng.int(H - 8),
        cx = 4 + rng.int(W - 8);
      for (let c = 0; c < C; c++)
        for (let yy = o.border; yy < H - o.border; yy++)
          for (let xx = o.border; xx < W - o.border; xx++) {
            const v = 255 * Math.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 18) + 20 * rng.next();
            const orig = c * HW + yy * W + xx;
            x[s * D + orig] = Math.min(255, Math.round(v));
          }
      if (perm) {
        const row = x.slice(s * D, (s + 1) * D);
        for (let i = 0; i < D; i++) x[s * D + i] = row[perm[i]!]!;
      }
    }
    return { x, y };
  };
  const tr = images(o.nTrain);
  const va = images(o.nVal);
  const layout = { channels: C, height: H, width: W, order: 'chw' as const };
  const ds = await writeArtifact(
    { ...ident('dataset', 'dataset', { ...o, what: 'dataset' }) },
    async (dir) => {
      const meta = {
        class_names: Array.from({ length: o.classes }, (_, i) => `c${i}`),
        pixel_permutation: perm ? { tensor: 'permutation', file: 'normalization.arrow' } : null,
      };
      writeDatasetSplit(join(dir, 'train.arrow'), { split: 'train', layout, x: tr.x, y: tr.y, meta });
      writeDatasetSplit(join(dir, 'val.arrow'), { split: 'val', layout, x: va.x, y: va.y, meta });
      const mean = new Float32Array(D);
      for (let s = 0; s < o.nTrain; s++) for (let i = 0; i < D; i++) mean[i]! += tr.x[s * D + i]! / o.nTrain;
      const t = [
        { name: 'offset', shape: [D], data: mean },
        { name: 'scale', shape: [D], data: new Float32Array(D).fill(1 / 255) },
      ];
      if (perm) t.push({ name: 'permutation', shape: [D], data: Float32Array.from(perm) });
      writeTensorFile(join(dir, 'normalization.arrow'), t, 'float32');
      return { summary: { num_classes: o.classes, n_train: o.nTrain, n_val: o.nVal, layout } };
    },
    store,
  );
  inputs.dataset = ds.artifact.dir;

  // Per-node centres (original pixel space) and a locality that sharpens with the level.
  const h1 = dims[1]!;
  const centres = Array.from({ length: h1 }, () => [3 + rng.int(H - 6), 3 + rng.int(W - 6), rng.int(C)] as const);
  const weights = dims.slice(1).map((fo, i) => {
    const fi = dims[i]!;
    const sd = Math.sqrt(2 / (fi + fo));
    return Float32Array.from({ length: fi * fo }, () => sd * rng.normal());
  });
  for (let k = 0; k < o.levels; k++) {
    const u = o.keep ** k;
    const local = Math.min(1, k / Math.max(1, o.levels - 3));
    const masks: Uint8Array[] = [];
    if (k > 0) {
      // Layer 1: each node keeps round(u·D) inputs, drawn from uniform ∪ a Gaussian blob around its centre.
      const m1 = new Uint8Array(D * h1);
      const keepN = Math.max(2, Math.round(u * D));
      for (let j = 0; j < h1; j++) {
        const [cy, cx, cc] = centres[j]!;
        const w = new Float64Array(D);
        for (let p = 0; p < D; p++) {
          const c = Math.floor(p / HW),
            yy = Math.floor((p % HW) / W),
            xx = p % W;
          w[p] = 1 - local + local * 50 * Math.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 8) * (c === cc ? 1 : 0.3);
        }
        const keys = Array.from({ length: D }, (_, p) => ({ p, key: -Math.log(1 - rng.next()) / w[p]! })).sort(
          (a, b) => a.key - b.key,
        );
        for (let t = 0; t < keepN; t++) {
          const orig = keys[t]!.p;
          const stored = perm ? perm.indexOf(orig) : orig;
          m1[stored * h1 + j] = 1;
        }
      }
      masks.push(m1);
      for (let l = 2; l < dims.length - 1; l++)
        masks.push(Uint8Array.from({ length: dims[l - 1]! * dims[l]! }, () => (rng.next() < u ? 1 : 0)));
    }
    const params = await writeArtifact(
      ident('final', 'parameters', { ...o, level: k }),
      async (dir) => {
        const t: { name: string; shape: number[]; data: Float32Array }[] = [];
        for (let l = 1; l < dims.length; l++) {
          const fi = dims[l - 1]!,
            fo = dims[l]!;
          const m = masks[l - 1];
          t.push({
            name: `W${l}`,
            shape: [fi, fo],
            data: m ? weights[l - 1]!.map((v, i) => v * m[i]!) : weights[l - 1]!,
          });
          t.push({ name: `b${l}`, shape: [fo], data: Float32Array.from({ length: fo }, () => 0.01 * rng.normal()) });
          t.push({ name: `bn${l}.gamma`, shape: [fi], data: new Float32Array(fi).fill(1) });
          t.push({ name: `bn${l}.beta`, shape: [fi], data: new Float32Array(fi) });
          t.push({ name: `bn${l}.mean`, shape: [fi], data: new Float32Array(fi) });
          t.push({ name: `bn${l}.var`, shape: [fi], data: new Float32Array(fi).fill(l === 1 ? 0.05 : 1) });
        }
        writeTensorFile(join(dir, 'params.arrow'), t, 'float32', {
          arch: o.hidden.map((h) => `f${h}`).join(':') + ':x',
          input_dim: String(D),
          num_classes: String(o.classes),
          step: '1000',
        });
      },
      store,
    );
    inputs[`params.L${k}`] = params.artifact.dir;
    if (k > 0) {
      const mask = await writeArtifact(
        ident('mask', 'mask', { ...o, level: k }),
        async (dir) => {
          const t = masks.flatMap((m, i) => [
            { name: `W${i + 1}`, shape: [dims[i]!, dims[i + 1]!], data: m },
            { name: `b${i + 1}`, shape: [dims[i + 1]!], data: new Uint8Array(dims[i + 1]!).fill(1) },
          ]);
          writeTensorFile(join(dir, 'mask.arrow'), t, 'uint8', {
            arch: o.hidden.map((h) => `f${h}`).join(':') + ':x',
            level: String(k),
          });
        },
        store,
      );
      inputs[`mask.L${k}`] = mask.artifact.dir;
    }
    const peak = 0.3 + 0.5 * Math.exp(-(((k - o.levels * 0.6) / (o.levels * 0.3)) ** 2));
    const rows: MetricRow[] = [];
    for (let step = 0; step <= 1000; step += 100) {
      const f = 1 - Math.exp(-step / 250);
      rows.push({ level: k, step, split: 'val', metric: 'top1', value: 0.1 + (peak - 0.1) * f });
      rows.push({ level: k, step, split: 'train', metric: 'top1', value: 0.1 + (peak + 0.1 - 0.1) * f });
    }
    const best = Math.max(...rows.filter((r) => r.split === 'val').map((r) => r.value));
    const met = await writeArtifact(
      ident('metrics', 'metrics', { ...o, level: k }),
      async (dir) => {
        writeMetricsFile(join(dir, 'metrics.arrow'), rows);
        return { summary: { best_val_top1: best, final_val_top1: rows[rows.length - 2]!.value, steps: 1000 } };
      },
      store,
    );
    inputs[`metrics.L${k}`] = met.artifact.dir;
  }
  return { inputs, dims };
}
