import { join } from 'node:path';
import { ArtifactError, ConfigError, writeTensorFile, type NamedTensor, type StageContext } from '@imp/artifacts';
import { GRAPH_METADATA_KEY, loadNamedMaskFor, loadNamedParams } from '@imp/artifacts';
import {
  globalMagnitude,
  layerReport,
  layerwiseMagnitude,
  randomPrune,
  bernoulliMask,
  scheduleDensity,
  stopRuleFires,
  type LayerMask,
  type PrunableLayer,
} from './prune.ts';
import type { MaskConfig } from './stage.ts';

export async function runMask(ctx: StageContext<MaskConfig>): Promise<void> {
  const cfg = ctx.config;
  const t0 = performance.now();
  // Any model: layers come from the parameters' declared graph, tensors by name (model-graph.ts).
  const params = loadNamedParams(ctx.inputs.params!);
  const graph = params.graph;
  const last = graph.length;
  const pruned = cfg.layers ?? graph.flatMap((L, i) => (L.prunable ? [i + 1] : []));
  for (const l of pruned)
    if (l > last)
      throw new ConfigError(
        `mask config: field 'layers': layer ${l} does not exist in ${params.arch ? `arch ${params.arch}` : params.file} (${last} layers)`,
      );
  const prunedTensors = new Set(pruned.flatMap((l) => [graph[l - 1]!.weight, graph[l - 1]!.bias ?? '']));
  const prev = ctx.inputs.previous ? loadNamedMaskFor(ctx.inputs.previous, params) : undefined;
  if (prev)
    for (const t of prev.tensors.keys())
      if (!prunedTensors.has(t)) {
        const i = graph.findIndex((L) => L.weight === t || L.bias === t);
        throw new ArtifactError(
          `${prev.file}: previous mask prunes layer ${i + 1} (${t}), which config 'layers' [${pruned}] leaves dense`,
          'bad-input',
          prev.file,
        );
      }

  const shapeOf = (name: string) => params.tensors.get(name)!.shape;
  const layers: PrunableLayer[] = pruned.map((l) => {
    const G = graph[l - 1]!;
    const w = params.tensors.get(G.weight)!;
    const fanOut = w.shape.at(-1)!;
    const b = G.bias ? params.tensors.get(G.bias)!.data : new Float32Array(0);
    const ones = (n: number) => new Uint8Array(n).fill(1);
    return {
      l,
      fanIn: w.data.length / fanOut,
      fanOut,
      w: w.data,
      b,
      mw: prev?.tensors.get(G.weight)?.data ?? ones(w.data.length),
      mb: (G.bias ? prev?.tensors.get(G.bias)?.data : undefined) ?? ones(b.length),
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
    case 'bernoulli':
      masks = bernoulliMask(layers, density, cfg.seed, cfg.level);
      break;
  }
  const reports = masks.map((m, i) => layerReport(m.l, layers[i]!.fanIn, layers[i]!.fanOut, m.mw, m.mb));
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
      const G = graph[m.l - 1]!;
      tensors.push({ name: G.weight, shape: shapeOf(G.weight), data: m.mw });
      if (G.bias) tensors.push({ name: G.bias, shape: shapeOf(G.bias), data: m.mb });
    }
    // FCN masks keep their metadata (and bytes); other models carry their graph instead.
    const md = params.metadata;
    writeTensorFile(join(dir, 'mask.arrow'), tensors, 'uint8', {
      ...(params.arch !== null ? { arch: params.arch } : { [GRAPH_METADATA_KEY]: md[GRAPH_METADATA_KEY]! }),
      level: String(cfg.level),
      ...(md.input_dim !== undefined ? { input_dim: md.input_dim } : {}),
      ...(md.num_classes !== undefined ? { num_classes: md.num_classes } : {}),
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
        layers: Object.fromEntries(reports.map((r) => [graph[r.layer - 1]!.name, r])),
        stop,
        stop_ratio: cfg.stopRatio,
      },
      timings: { compute_s: computeS },
    };
  });
}
