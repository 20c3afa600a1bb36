import { Rng } from '@imp/artifacts';
import type { AnalysisConfig } from './config.ts';
import { MaskedMlp, type LayerParams } from './forward.ts';
import type { loadDataset, NetParams } from './experiment-inputs.ts';
import { ablationOrder, mean, std, type AblationMode } from './measures.ts';

/** Node ablation on the val split with stored BN running statistics (spec §4(g)). */
export function ablate(
  P: NetParams,
  M: Map<string, Uint8Array>,
  ds: ReturnType<typeof loadDataset>,
  deg1: Int32Array,
  cfg: AnalysisConfig,
  level: number,
  log: (m: string) => void,
) {
  const layers: LayerParams[] = [];
  for (let l = 1; l < P.dims.length; l++) {
    const get = (n: string) => P.tensors.get(n);
    const [W, b, gamma, beta, mu, v] = [
      `W${l}`,
      `b${l}`,
      `bn${l}.gamma`,
      `bn${l}.beta`,
      `bn${l}.mean`,
      `bn${l}.var`,
    ].map(get);
    if (!W || !b) throw new Error(`params.L${level}: missing W${l}/b${l}`);
    if (!mu || !v) {
      log(`level ${level}: no BN running statistics (bn${l}.mean/var), ablation skipped`);
      return null;
    }
    const fi = P.dims[l - 1]!;
    layers.push({
      W,
      b,
      fanIn: fi,
      fanOut: P.dims[l]!,
      gamma: gamma ?? new Float32Array(fi).fill(1),
      beta: beta ?? new Float32Array(fi),
      mean: mu,
      var: v,
      maskW: M.get(`W${l}`),
      maskB: M.get(`b${l}`),
    });
  }
  const net = new MaskedMlp(layers, { offset: ds.offset, scale: ds.scale }, cfg.bnEps);
  const nAll = ds.val.y.length;
  const n = cfg.ablationMaxVal > 0 ? Math.min(cfg.ablationMaxVal, nAll) : nAll;
  const D = ds.dim;
  const x = ds.val.x.subarray(0, n * D);
  const y = ds.val.y.subarray(0, n);
  const z1 = net.firstLayer(x, n);
  const h1 = P.dims[1]!;
  const sizes = [
    ...new Set(cfg.ablationSizes.map((s) => Math.min(h1, Math.round((s * h1) / cfg.ablationReferenceWidth)))),
  ].sort((a, b) => a - b);
  const base = net.correctFrom(z1, n, y) / n;
  const rows: { mode: string; removed: number; removed_fraction: number; top1: number; top1_std: number }[] = [];
  const start = net.layer2Start(z1, n);
  for (const mode of ['max', 'min', 'rand'] as AblationMode[]) {
    const reps = mode === 'rand' ? cfg.ablationRandomRepeats : 1;
    const curves = Array.from({ length: reps }, (_, r) =>
      net.ablationCurve(z1, n, y, ablationOrder(deg1, mode, new Rng(cfg.seed, 20_000 + level * 100 + r)), sizes, start),
    );
    sizes.forEach((s, i) => {
      const vals = curves.map((c) => c[i]!);
      rows.push({ mode, removed: s, removed_fraction: s / h1, top1: mean(vals), top1_std: reps > 1 ? std(vals) : 0 });
    });
  }
  return { base, rows, n };
}
