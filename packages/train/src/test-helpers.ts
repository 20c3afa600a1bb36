import { readFileSync } from 'node:fs';
import { openArtifact, type Artifact } from '@imp/artifacts';
import { writeFakeMask } from '@imp/artifacts/testing';

// Temporary stores, the quiet logger and the synthetic dataset are @imp/artifacts/testing's
// (tempStore, quiet, writeFakeDataset); only train's own helpers live here.
export { quiet, tempStore, writeFakeDataset as syntheticDataset } from '@imp/artifacts/testing';

/**
 * A mask artifact keeping entries where keep(layer, i) (weights, then biases at i ≥ fanIn·fanOut).
 * `dims` may disagree with `arch` (error tests): the tensors get dims' shapes.
 */
export async function syntheticMask(
  store: string,
  arch: string,
  dims: number[],
  layers: number[],
  keep: (l: number, i: number) => boolean,
  tag = '',
): Promise<Artifact> {
  let next = 0; // fakeMask asks for the shape of each of `layers`, in order
  return writeFakeMask(store, {
    arch,
    inputDim: dims[0]!,
    numClasses: dims[dims.length - 1]!,
    layers,
    tag,
    level: 1,
    // Shapes from dims, not arch, so a mismatching mask can be written.
    shapeFix: () => {
      const l = layers[next++]!;
      return [dims[l - 1]!, dims[l]!];
    },
    keep: (i, name) => {
      const l = Number(name.slice(1));
      return keep(l, name.startsWith('b') ? dims[l - 1]! * dims[l]! + i : i);
    },
  });
}

export async function paramsBytes(dir: string): Promise<Buffer> {
  const a = await openArtifact(dir, { kind: 'parameters' });
  return readFileSync(a.file('params.arrow'));
}
