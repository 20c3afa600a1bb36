import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, writeArtifact, writeTensorFile, type Artifact, type NamedTensor } from '@imp/artifacts';

export const tempStore = () => mkdtempSync(join(tmpdir(), 'imp-mask-'));

/** A parameters artifact with Gaussian W{l}, b{l} (what the train stage writes, minus BN). */
export async function fakeParams(
  store: string,
  arch: string,
  inputDim: number,
  dims: number[],
  seed = 1,
): Promise<Artifact> {
  const rng = new Rng(seed, 7);
  const tensors: NamedTensor[] = [];
  const all = [inputDim, ...dims];
  for (let l = 1; l < all.length; l++) {
    const w = new Float32Array(all[l - 1]! * all[l]!).map(() => rng.normal());
    tensors.push({ name: `W${l}`, shape: [all[l - 1]!, all[l]!], data: w });
    tensors.push({ name: `b${l}`, shape: [all[l]!], data: new Float32Array(all[l]!).map(() => rng.normal()) });
  }
  const { artifact } = await writeArtifact(
    {
      kind: 'parameters',
      role: 'final',
      stage: 'test',
      algoVersion: 't',
      config: { arch, seed, inputDim },
      upstream: {},
    },
    async (dir) =>
      writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', {
        arch,
        input_dim: String(inputDim),
        num_classes: String(dims.at(-1)),
        step: '100',
      }),
    store,
  );
  return artifact;
}
