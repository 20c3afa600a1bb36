import { ArtifactError } from './errors.ts';
import { readTensorFile, writeTensorFile, type NamedTensor } from './tensors.ts';
import type { Artifact } from './store.ts';
import { archFromMetadata, type ArchLayer } from './fcn-arch.ts';
import { GRAPH_METADATA_KEY, graphFromMetadata, type GraphLayer } from './model-graph.ts';

export interface LoadedParams {
  file: string;
  arch: string;
  inputDim: number;
  numClasses: number;
  layers: ArchLayer[];
  metadata: Record<string, string>;
  tensors: Map<string, NamedTensor<Float32Array>>;
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Opens params.arrow of a parameters artifact and checks every W{l}/b{l} against its arch. */
export function loadParams(a: Artifact): LoadedParams {
  const file = a.file('params.arrow');
  const { tensors, metadata } = readTensorFile(file, 'float32');
  const { arch, inputDim, numClasses, layers } = archFromMetadata(metadata, file);
  const map = new Map(tensors.map((t) => [t.name, t as NamedTensor<Float32Array>]));
  for (const L of layers) {
    for (const [name, shape] of [[`W${L.l}`, [L.fanIn, L.fanOut]], [`b${L.l}`, [L.fanOut]]] as const) {
      const t = map.get(name);
      if (!t) throw new ArtifactError(`${file}: no tensor '${name}' (arch ${arch})`, 'bad-table', file);
      if (!sameShape(t.shape, [...shape])) throw new ArtifactError(`${file}: tensor '${name}' has shape [${t.shape}], arch ${arch} needs [${shape}]`, 'bad-table', file);
    }
  }
  return { file, arch, inputDim, numClasses, layers, metadata, tensors: map };
}

export interface LoadedMask {
  file: string;
  arch: string;
  level: number;
  tensors: Map<string, NamedTensor<Uint8Array>>;
}

/**
 * Opens mask.arrow and checks it against the parameters it will be applied to: same arch,
 * and every W{l}/b{l} it holds has that layer's shape. A mismatch is an ArtifactError.
 */
export function loadMaskFor(a: Artifact, p: { arch: string; layers: ArchLayer[]; file: string }): LoadedMask {
  const file = a.file('mask.arrow');
  const { tensors, metadata } = readTensorFile(file, 'uint8');
  if (metadata.arch !== p.arch)
    throw new ArtifactError(`${file}: mask is for arch '${metadata.arch}', parameters ${p.file} are '${p.arch}'`, 'bad-input', file);
  const map = new Map(tensors.map((t) => [t.name, t as NamedTensor<Uint8Array>]));
  for (const t of tensors) {
    const m = /^([Wb])([0-9]+)$/.exec(t.name);
    const L = m ? p.layers.find((x) => x.l === Number(m[2])) : undefined;
    if (!m || !L) throw new ArtifactError(`${file}: unexpected mask tensor '${t.name}' for arch ${p.arch}`, 'bad-input', file);
    const want = m[1] === 'W' ? [L.fanIn, L.fanOut] : [L.fanOut];
    if (!sameShape(t.shape, want))
      throw new ArtifactError(`${file}: mask tensor '${t.name}' has shape [${t.shape}], parameters need [${want}]`, 'bad-input', file);
    for (let i = 0; i < t.data.length; i++)
      if (t.data[i]! > 1) throw new ArtifactError(`${file}: mask tensor '${t.name}' holds value ${t.data[i]} (expected 0/1)`, 'bad-table', file);
  }
  for (const L of p.layers)
    if (map.has(`W${L.l}`) !== map.has(`b${L.l}`))
      throw new ArtifactError(`${file}: layer ${L.l} has a weight mask or a bias mask but not both`, 'bad-table', file);
  return { file, arch: p.arch, level: Number(metadata.level ?? 0), tensors: map };
}

/** Parameters as named tensors with their declared layer graph (any model, FCN or not). */
export interface NamedParams {
  file: string;
  /** The FCN arch string, when the file has one (every FCN file does). */
  arch: string | null;
  graph: GraphLayer[];
  metadata: Record<string, string>;
  tensors: Map<string, NamedTensor<Float32Array>>;
}

/**
 * Opens params.arrow and checks it against its declared graph (model-graph.ts): every layer's
 * weight exists, and its bias (if any) has shape [last axis of the weight]. FCN files are
 * additionally checked against their arch (loadParams).
 */
export function loadNamedParams(a: Artifact): NamedParams {
  const file = a.file('params.arrow');
  const { tensors, metadata } = readTensorFile(file, 'float32');
  const graph = graphFromMetadata(metadata, file);
  const map = new Map(tensors.map((t) => [t.name, t as NamedTensor<Float32Array>]));
  if (metadata.arch !== undefined && metadata[GRAPH_METADATA_KEY] === undefined) loadParams(a);
  for (const L of graph) {
    const w = map.get(L.weight);
    if (!w) throw new ArtifactError(`${file}: no tensor '${L.weight}' (weight of graph layer ${L.name})`, 'bad-table', file);
    if (L.bias === null) continue;
    const b = map.get(L.bias);
    const units = w.shape.at(-1)!;
    if (!b) throw new ArtifactError(`${file}: no tensor '${L.bias}' (bias of graph layer ${L.name})`, 'bad-table', file);
    if (!sameShape(b.shape, [units]))
      throw new ArtifactError(`${file}: bias '${L.bias}' has shape [${b.shape}], layer ${L.name} needs [${units}]`, 'bad-table', file);
  }
  return { file, arch: metadata.arch ?? null, graph, metadata, tensors: map };
}

/**
 * Opens mask.arrow for the given parameters, by tensor name: every mask tensor is the weight or
 * bias of a graph layer and has that tensor's shape, values are 0/1, and a layer with a bias has
 * both masks or neither. An FCN mask must be for the same arch.
 */
export function loadNamedMaskFor(a: Artifact, p: NamedParams): LoadedMask {
  const file = a.file('mask.arrow');
  const { tensors, metadata } = readTensorFile(file, 'uint8');
  if ((metadata.arch ?? null) !== p.arch)
    throw new ArtifactError(`${file}: mask is for arch '${metadata.arch}', parameters ${p.file} are '${p.arch}'`, 'bad-input', file);
  const map = new Map(tensors.map((t) => [t.name, t as NamedTensor<Uint8Array>]));
  const owned = new Set(p.graph.flatMap((L) => [L.weight, ...(L.bias ? [L.bias] : [])]));
  for (const t of tensors) {
    const want = p.tensors.get(t.name)?.shape;
    if (!owned.has(t.name) || !want)
      throw new ArtifactError(`${file}: unexpected mask tensor '${t.name}' (not a weight or bias of ${p.file})`, 'bad-input', file);
    if (!sameShape(t.shape, want))
      throw new ArtifactError(`${file}: mask tensor '${t.name}' has shape [${t.shape}], parameters need [${want}]`, 'bad-input', file);
    for (let i = 0; i < t.data.length; i++)
      if (t.data[i]! > 1) throw new ArtifactError(`${file}: mask tensor '${t.name}' holds value ${t.data[i]} (expected 0/1)`, 'bad-table', file);
  }
  for (const L of p.graph)
    if (L.bias !== null && map.has(L.weight) !== map.has(L.bias))
      throw new ArtifactError(`${file}: layer ${L.name} has a weight mask or a bias mask but not both`, 'bad-table', file);
  return { file, arch: p.arch ?? '', level: Number(metadata.level ?? 0), tensors: map };
}

/** What a parameters or mask file says its model is: an FCN arch, or a declared graph. */
export type ModelMetadata = { arch: string; inputDim: number; numClasses: number } | { graph: GraphLayer[] };

/**
 * Writes params.arrow (float32) or mask.arrow (uint8) with its model metadata, checked first: a
 * graph's weights must be among the tensors and every tensor's data must fill its shape. An FCN
 * file gets `{arch, input_dim, num_classes, ...extra}`, exactly what the FCN stages have always
 * written (no graph key: it is derived from the arch), so FCN bytes do not change.
 */
export function writeModelTensors(
  path: string,
  tensors: NamedTensor[],
  dtype: 'float32' | 'uint8',
  model: ModelMetadata,
  extra: Record<string, string> = {},
): void {
  let md: Record<string, string>;
  if ('graph' in model) {
    md = { [GRAPH_METADATA_KEY]: JSON.stringify(model.graph) };
    const graph = graphFromMetadata(md, path); // validates the declaration itself
    const names = new Set(tensors.map((t) => t.name));
    if (dtype === 'float32')
      for (const L of graph)
        if (!names.has(L.weight))
          throw new ArtifactError(`${path}: graph layer ${L.name} names weight '${L.weight}', which is not written`, 'bad-input', path);
  } else md = { arch: model.arch, input_dim: String(model.inputDim), num_classes: String(model.numClasses) };
  writeTensorFile(path, tensors, dtype, { ...md, ...extra });
}
