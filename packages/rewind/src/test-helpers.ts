import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, writeArtifact, writeTensorFile, type Artifact, type NamedTensor } from '@imp/artifacts';

export const tempStore = () => mkdtempSync(join(tmpdir(), 'imp-rewind-'));

/** A full parameters artifact as the trainer writes it (W, b, BN γ/β and running stats). */
export async function fakeParams(
  store: string,
  arch: string,
  dims: number[],
  step: number,
  seed = 1,
): Promise<Artifact> {
  const rng = new Rng(seed, 7);
  const rnd = (n: number) => new Float32Array(n).map(() => rng.normal());
  const tensors: NamedTensor[] = [];
  for (let l = 1; l < dims.length; l++) {
    const [i, o] = [dims[l - 1]!, dims[l]!];
    tensors.push({ name: `W${l}`, shape: [i, o], data: rnd(i * o) }, { name: `b${l}`, shape: [o], data: rnd(o) });
    for (const s of ['gamma', 'beta', 'mean', 'var']) tensors.push({ name: `bn${l}.${s}`, shape: [i], data: rnd(i) });
  }
  const { artifact } = await writeArtifact(
    { kind: 'parameters', role: 'final', stage: 'test', algoVersion: 't', config: { arch, seed, step }, upstream: {} },
    async (dir) =>
      writeTensorFile(join(dir, 'params.arrow'), tensors, 'float32', {
        arch,
        input_dim: String(dims[0]),
        num_classes: String(dims.at(-1)),
        step: String(step),
      }),
    store,
  );
  return artifact;
}

/** A mask artifact over the given layers, keeping entries where keep(i) is true. */
export async function fakeMask(
  store: string,
  arch: string,
  dims: number[],
  layers: number[],
  keep: (i: number) => boolean,
  shapeFix?: (s: number[]) => number[],
): Promise<Artifact> {
  const tensors: NamedTensor[] = [];
  for (const l of layers) {
    let ws = [dims[l - 1]!, dims[l]!];
    if (shapeFix) ws = shapeFix(ws);
    tensors.push({ name: `W${l}`, shape: ws, data: new Uint8Array(ws[0]! * ws[1]!).map((_, i) => (keep(i) ? 1 : 0)) });
    tensors.push({ name: `b${l}`, shape: [ws[1]!], data: new Uint8Array(ws[1]!).map((_, i) => (keep(i) ? 1 : 0)) });
  }
  const { artifact } = await writeArtifact(
    {
      kind: 'mask',
      role: 'mask',
      stage: 'test',
      algoVersion: 't',
      config: { arch, layers, k: keep.toString(), s: String(shapeFix) },
      upstream: {},
    },
    async (dir) => writeTensorFile(join(dir, 'mask.arrow'), tensors, 'uint8', { arch, level: '1' }),
    store,
  );
  return artifact;
}
