import { ArtifactError, readDatasetSplit, readTensorFile, type Artifact } from '@imp/artifacts';
import { readFileBytes } from '@imp/engine/rows';

export interface Split {
  x: Uint8Array | Float32Array;
  y: Int32Array;
  n: number;
}

export interface LoadedDataset {
  dim: number;
  numClasses: number;
  train: Split;
  val: Split;
  offset: Float32Array;
  scale: Float32Array;
}

/**
 * Opens a dataset artifact (contract: train.arrow, val.arrow, normalization.arrow with float32
 * `offset` and `scale` [D]; the network input is (x − offset)·scale). Pixels stay a zero-copy
 * view; batches are normalised while being gathered.
 */
export function loadDataset(a: Artifact): LoadedDataset {
  const nc = Number(a.manifest.summary.num_classes);
  const trainFile = a.file('train.arrow');
  const valFile = a.file('val.arrow');
  const normFile = a.file('normalization.arrow');
  if (!(nc >= 2))
    throw new ArtifactError(`${a.dir}/manifest.json: summary.num_classes missing or < 2`, 'bad-manifest', a.dir);
  const tr = readDatasetSplit(trainFile, readFileBytes(trainFile));
  const va = readDatasetSplit(valFile, readFileBytes(valFile));
  const dim = tr.layout.channels * tr.layout.height * tr.layout.width;
  const vdim = va.layout.channels * va.layout.height * va.layout.width;
  if (vdim !== dim)
    throw new ArtifactError(`${valFile}: ${vdim} inputs per image, train.arrow has ${dim}`, 'bad-table', valFile);
  for (const [file, s] of [
    [trainFile, tr],
    [valFile, va],
  ] as const)
    for (let i = 0; i < s.y.length; i++)
      if (!(s.y[i]! >= 0 && s.y[i]! < nc))
        throw new ArtifactError(`${file}: label ${s.y[i]} of row ${i} outside 0..${nc - 1}`, 'bad-table', file);
  const { tensors } = readTensorFile(normFile, 'float32');
  const get = (name: string) => {
    const t = tensors.find((x) => x.name === name);
    if (!t || t.data.length !== dim)
      throw new ArtifactError(`${normFile}: needs float32 tensor '${name}' of ${dim} values`, 'bad-table', normFile);
    for (const v of t.data as Float32Array)
      if (!Number.isFinite(v))
        throw new ArtifactError(`${normFile}: tensor '${name}' holds a non-finite value`, 'bad-table', normFile);
    return t.data as Float32Array;
  };
  return {
    dim,
    numClasses: nc,
    train: { x: tr.x, y: tr.y, n: tr.y.length },
    val: { x: va.x, y: va.y, n: va.y.length },
    offset: get('offset'),
    scale: get('scale'),
  };
}
