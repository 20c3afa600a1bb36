import { join } from 'node:path';
import { ArtifactError, writeTensorFile, type NamedTensor, type StageContext } from '@imp/artifacts';
import { glorotNormal } from '@imp/artifacts';
import { GRAPH_METADATA_KEY, loadNamedMaskFor, loadNamedParams, type NamedParams } from '@imp/artifacts';
import type { RewindConfig } from './stage.ts';

/** BN running statistics (the trainer's `bn{l}.mean/var`): dropped on rewind, by name. */
const isRunningStat = (name: string) => /\.(mean|var)$/.test(name);

/**
 * The rewound tensor list, by name, in the parameters' file order minus the running statistics
 * (for the FCN: W, b, bn.gamma, bn.beta per layer). BN γ, β are rewound with everything else
 * (spec §3.2: "rewind ALL parameters"); the running mean/var are dropped so the trainer
 * re-initialises the EMA from its first batch (spec §1.1). `reinit` draws every graph weight
 * Glorot-normal from Rng(seed, 100 + its 1-based layer index) with fan_out = its last axis and
 * fan_in = the rest (the FCN trainer's init), sets `*.gamma` to 1 and everything else to 0.
 */
export function rewoundTensors(p: NamedParams, mode: RewindConfig['mode'], seed: number): NamedTensor<Float32Array>[] {
  const fresh = mode === 'reinit';
  const layerOf = new Map(p.graph.map((L, i) => [L.weight, i + 1]));
  const out: NamedTensor<Float32Array>[] = [];
  for (const [name, t] of p.tensors) {
    if (isRunningStat(name)) continue;
    let data: Float32Array;
    if (!fresh) data = Float32Array.from(t.data);
    else if (layerOf.has(name)) {
      const fanOut = t.shape.at(-1)!;
      data = glorotNormal(seed, layerOf.get(name)!, t.data.length / fanOut, fanOut);
    } else data = new Float32Array(t.data.length).fill(name.endsWith('.gamma') ? 1 : 0);
    out.push({ name, shape: [...t.shape], data });
  }
  return out;
}

/** A model's identity for the source/trained check: arch and dims (FCN) or the graph and tensor shapes. */
function describe(p: NamedParams): string {
  if (p.arch !== null) return `arch ${p.arch} (${p.metadata.input_dim}→${p.metadata.num_classes})`;
  return JSON.stringify([p.graph, [...p.tensors].filter(([n]) => !isRunningStat(n)).map(([n, t]) => [n, t.shape])]);
}

export async function runRewind(ctx: StageContext<RewindConfig>): Promise<void> {
  const { mode, lrRewind, seed } = ctx.config;
  const source = ctx.inputs.source ? loadNamedParams(ctx.inputs.source) : undefined;
  const trained = ctx.inputs.trained ? loadNamedParams(ctx.inputs.trained) : undefined;
  if (mode === 'finetune' && !trained)
    throw new ArtifactError(`rewind mode 'finetune' needs input 'trained'`, 'bad-input');
  if (mode !== 'finetune' && !source)
    throw new ArtifactError(`rewind mode '${mode}' needs input 'source'`, 'bad-input');
  if (source && trained && describe(source) !== describe(trained))
    throw new ArtifactError(
      `${trained.file}: model ${describe(trained)} differs from source ${source.file}: ${describe(source)}`,
      'bad-input',
      trained.file,
    );
  const base = mode === 'finetune' ? trained! : source!;
  const srcStep = Number(base.metadata.step ?? NaN);
  // Catch wiring mistakes: 'init' must get step-0 parameters, 'late' a later checkpoint.
  if (mode === 'init' && srcStep !== 0)
    throw new ArtifactError(
      `${base.file}: rewind mode 'init' expects step-0 parameters, this file holds step ${base.metadata.step}`,
      'bad-input',
      base.file,
    );
  if (mode === 'late' && !(srcStep > 0))
    throw new ArtifactError(
      `${base.file}: rewind mode 'late' expects parameters after k > 0 steps, this file holds step ${base.metadata.step} (use mode 'init')`,
      'bad-input',
      base.file,
    );

  const tensors = rewoundTensors(base, mode, seed);
  const mask = ctx.inputs.mask ? loadNamedMaskFor(ctx.inputs.mask, base) : undefined;
  let zeroed = 0;
  if (mask)
    for (const t of tensors) {
      const m = mask.tensors.get(t.name)?.data;
      if (!m) continue;
      for (let i = 0; i < m.length; i++)
        if (!m[i]) {
          if (t.data[i] !== 0) zeroed++;
          t.data[i] = 0;
        }
    }
  const step = mode === 'reinit' ? 0 : srcStep;
  ctx.log(
    `${mode}: ${base.arch ?? `${base.graph.length}-layer graph`} from step ${step}${mask ? `, mask level ${mask.level} (${zeroed} entries zeroed)` : ''}`,
  );
  await ctx.write('params', async (dir) => {
    // Model metadata is carried over as is (FCN: arch, input_dim, num_classes; others: graph).
    const md = base.metadata;
    const model: Record<string, string> =
      base.arch !== null
        ? { arch: base.arch, input_dim: md.input_dim!, num_classes: md.num_classes! }
        : { [GRAPH_METADATA_KEY]: md[GRAPH_METADATA_KEY]! };
    writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', {
      ...model,
      step: String(step),
      rewind_mode: mode,
      lr_rewind: String(lrRewind),
      mask_level: String(mask?.level ?? 0),
    });
    return {
      summary: { arch: base.arch ?? 'graph', mode, step, lr_rewind: lrRewind, mask_level: mask?.level ?? 0, zeroed },
    };
  });
}
