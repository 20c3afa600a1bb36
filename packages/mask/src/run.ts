import { join } from 'node:path';
import { ArtifactError, ConfigError, writeTensorFile, type NamedTensor, type StageContext } from '@imp/artifacts';
import { loadMaskFor, loadParams } from '@imp/artifacts';
import {
  globalMagnitude,
  layerReport,
  layerwiseMagnitude,
  randomPrune,
  scheduleDensity,
  stopRuleFires,
  type LayerMask,
  type PrunableLayer,
} from './prune.ts';
import type { MaskConfig } from './stage.ts';

export async function runMask(ctx: StageContext<MaskConfig>): Promise<void> {
  const cfg = ctx.config;
  const t0 = performance.now();
  const params = loadParams(ctx.inputs.params!);
  const last = params.layers.length;
  const pruned = cfg.layers ?? params.layers.slice(0, -1).map((L) => L.l);
  for (const l of pruned)
    if (l > last)
      throw new ConfigError(
        `mask config: field 'layers': layer ${l} does not exist in arch ${params.arch} (${last} layers)`,
      );
  const prev = ctx.inputs.previous ? loadMaskFor(ctx.inputs.previous, params) : undefined;
  if (prev)
    for (const t of prev.tensors.keys())
      if (!pruned.includes(Number(t.slice(1))))
        throw new ArtifactError(
          `${prev.file}: previous mask prunes layer ${t.slice(1)}, which config 'layers' [${pruned}] leaves dense`,
          'bad-input',
          prev.file,
        );

  const layers: PrunableLayer[] = pruned.map((l) => {
    const L = params.layers[l - 1]!;
    const ones = (n: number) => new Uint8Array(n).fill(1);
    return {
      l,
      fanIn: L.fanIn,
      fanOut: L.fanOut,
      w: params.tensors.get(`W${l}`)!.data,
      b: params.tensors.get(`b${l}`)!.data,
      mw: prev?.tensors.get(`W${l}`)?.data ?? ones(L.fanIn * L.fanOut),
      mb: prev?.tensors.get(`b${l}`)?.data ?? ones(L.fanOut),
    };
  });
  const density = cfg.targetDensity ?? scheduleDensity(cfg.fraction, cfg.level);
  let masks: LayerMask[];
  switch (cfg.strategy) {
    case 'layerwise':
    case 'oneshot':
      masks = layerwiseMagnitude(layers, density);
      break;
    case 'global':
      masks = globalMagnitude(layers, density);
      break;
    case 'random':
      masks = randomPrune(layers, density, cfg.seed);
      break;
  }
  const reports = masks.map((m) => {
    const L = params.layers[m.l - 1]!;
    return layerReport(m.l, L.fanIn, L.fanOut, m.mw, m.mb);
  });
  const stop = stopRuleFires(reports, cfg.stopRatio);
  const computeS = (performance.now() - t0) / 1000;
  ctx.log(
    `level ${cfg.level} (${cfg.strategy}, target density ${density.toPrecision(4)}): ` +
      reports
        .map((r) => `L${r.layer} ${(100 * r.density).toPrecision(4)}% alive ${r.alive_nodes}/${r.nodes}`)
        .join(', ') +
      (stop ? ' — stop rule fires' : ''),
  );

  await ctx.write('mask', async (dir) => {
    const tensors: NamedTensor[] = [];
    for (const m of masks) {
      const L = params.layers[m.l - 1]!;
      tensors.push({ name: `W${m.l}`, shape: [L.fanIn, L.fanOut], data: m.mw });
      tensors.push({ name: `b${m.l}`, shape: [L.fanOut], data: m.mb });
    }
    writeTensorFile(join(dir, 'mask.arrow'), tensors, 'uint8', {
      arch: params.arch,
      level: String(cfg.level),
      input_dim: String(params.inputDim),
      num_classes: String(params.numClasses),
      strategy: cfg.strategy,
    });
    const kept = reports.reduce((a, r) => a + r.kept, 0);
    const size = reports.reduce((a, r) => a + r.size, 0);
    return {
      summary: {
        arch: params.arch,
        level: cfg.level,
        strategy: cfg.strategy,
        target_density: density,
        density: kept / size,
        layers: Object.fromEntries(reports.map((r) => [`L${r.layer}`, r])),
        stop,
        stop_ratio: cfg.stopRatio,
      },
      timings: { compute_s: computeS },
    };
  });
}
