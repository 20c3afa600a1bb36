import { join } from 'node:path';
import { ArtifactError, writeTensorFile, type NamedTensor, type StageContext } from '@imp/artifacts';
import { glorotNormal } from '@imp/artifacts';
import { loadMaskFor, loadParams, type LoadedParams } from '@imp/artifacts';
import type { RewindConfig } from './stage.ts';

function need(p: LoadedParams, name: string): Float32Array {
  const t = p.tensors.get(name);
  if (!t) throw new ArtifactError(`${p.file}: no tensor '${name}'`, 'bad-table', p.file);
  return t.data;
}

/** The rewound tensor list, in the canonical order W, b, bn.gamma, bn.beta per layer. */
export function rewoundTensors(p: LoadedParams, mode: RewindConfig['mode'], seed: number): NamedTensor<Float32Array>[] {
  const out: NamedTensor<Float32Array>[] = [];
  for (const L of p.layers) {
    const fresh = mode === 'reinit';
    const copy = (name: string) => Float32Array.from(need(p, name));
    out.push({
      name: `W${L.l}`,
      shape: [L.fanIn, L.fanOut],
      data: fresh ? glorotNormal(seed, L.l, L.fanIn, L.fanOut) : copy(`W${L.l}`),
    });
    out.push({ name: `b${L.l}`, shape: [L.fanOut], data: fresh ? new Float32Array(L.fanOut) : copy(`b${L.l}`) });
    // BN γ, β are rewound with everything else (spec §3.2: "rewind ALL parameters"); the running
    // mean/var are dropped so the trainer re-initialises the EMA from its first batch (spec §1.1).
    out.push({
      name: `bn${L.l}.gamma`,
      shape: [L.fanIn],
      data: fresh ? new Float32Array(L.fanIn).fill(1) : copy(`bn${L.l}.gamma`),
    });
    out.push({
      name: `bn${L.l}.beta`,
      shape: [L.fanIn],
      data: fresh ? new Float32Array(L.fanIn) : copy(`bn${L.l}.beta`),
    });
  }
  for (const t of out)
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1))
      throw new ArtifactError(
        `${p.file}: tensor '${t.name}' has ${t.data.length} values, arch ${p.arch} needs [${t.shape}]`,
        'bad-table',
        p.file,
      );
  return out;
}

export async function runRewind(ctx: StageContext<RewindConfig>): Promise<void> {
  const { mode, lrRewind, seed } = ctx.config;
  const source = ctx.inputs.source ? loadParams(ctx.inputs.source) : undefined;
  const trained = ctx.inputs.trained ? loadParams(ctx.inputs.trained) : undefined;
  if (mode === 'finetune' && !trained)
    throw new ArtifactError(`rewind mode 'finetune' needs input 'trained'`, 'bad-input');
  if (mode !== 'finetune' && !source)
    throw new ArtifactError(`rewind mode '${mode}' needs input 'source'`, 'bad-input');
  if (
    source &&
    trained &&
    (source.arch !== trained.arch || source.inputDim !== trained.inputDim || source.numClasses !== trained.numClasses)
  )
    throw new ArtifactError(
      `${trained.file}: arch ${trained.arch} (${trained.inputDim}→${trained.numClasses}) differs from source ${source.file}: ${source.arch} (${source.inputDim}→${source.numClasses})`,
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
  const mask = ctx.inputs.mask ? loadMaskFor(ctx.inputs.mask, base) : undefined;
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
    `${mode}: ${base.arch} from step ${step}${mask ? `, mask level ${mask.level} (${zeroed} entries zeroed)` : ''}`,
  );
  await ctx.write('params', async (dir) => {
    writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', {
      arch: base.arch,
      input_dim: String(base.inputDim),
      num_classes: String(base.numClasses),
      step: String(step),
      rewind_mode: mode,
      lr_rewind: String(lrRewind),
      mask_level: String(mask?.level ?? 0),
    });
    return { summary: { arch: base.arch, mode, step, lr_rewind: lrRewind, mask_level: mask?.level ?? 0, zeroed } };
  });
}
