import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadDataset } from './artifact-readers.ts';
import { openArtifact, writeArtifact } from './store.ts';
import { readTensorFile, writeTensorFile } from './tensors.ts';
import { loadNamedParams, writeModelTensors } from './params-files.ts';
import type { GraphLayer } from './model-graph.ts';
import { writeDatasetSplit } from './dataset-file.ts';
import { fakeConvParams, fakeParams, tempStore, writeFakeDataset } from './testing.ts';

test('loadDataset: splits, normalisation, class count; a bad permutation names the file', async () => {
  const store = tempStore();
  const d = loadDataset(await openArtifact((await writeFakeDataset(store, { n: 30, nVal: 10, side: 4 })).dir));
  assert.equal(d.dim, 16);
  assert.equal(d.numClasses, 3);
  assert.equal(d.train.y.length, 30);
  assert.equal(d.permutation, null);
  assert.equal(d.offset[0], Math.fround(127.3));
  const withPerm = async (perm: number[]) => {
    const layout = { channels: 1, height: 1, width: 3, order: 'chw' as const };
    const { artifact } = await writeArtifact(
      { kind: 'dataset', role: 'dataset', stage: 't', algoVersion: 't', config: { perm }, upstream: {} },
      async (dir) => {
        for (const split of ['train', 'val'] as const)
          writeDatasetSplit(join(dir, `${split}.arrow`), { split, layout, x: new Uint8Array(3), y: Int32Array.from([1]) });
        const f = (data: number[]) => Float32Array.from(data);
        writeTensorFile(
          join(dir, 'normalization.arrow'),
          [
            { name: 'offset', shape: [3], data: f([0, 0, 0]) },
            { name: 'scale', shape: [3], data: f([1, 1, 1]) },
            { name: 'permutation', shape: [3], data: f(perm) },
          ],
          'float32',
        );
      },
      store,
    );
    return loadDataset(await openArtifact(artifact.dir));
  };
  assert.deepEqual([...(await withPerm([2, 0, 1])).permutation!], [2, 0, 1]);
  assert.equal((await withPerm([2, 0, 1])).numClasses, 2);
  await assert.rejects(withPerm([0, 0, 1]), /normalization\.arrow: 'permutation' is not a permutation of 0\.\.2/);
});

test('writeModelTensors + loadNamedParams: a graph round-trips; an undeclared weight or a bad graph is refused', async () => {
  const store = tempStore();
  const { tensors, metadata } = fakeConvParams(2);
  const graph = JSON.parse(metadata.graph!) as GraphLayer[];
  const { artifact } = await writeArtifact(
    { kind: 'parameters', role: 'final', stage: 't', algoVersion: 't', config: {}, upstream: {} },
    async (dir) => writeModelTensors(join(dir, 'params.arrow'), tensors, 'float32', { graph }, { step: '3' }),
    store,
  );
  const p = loadNamedParams(await openArtifact(artifact.dir));
  assert.equal(p.arch, null);
  assert.deepEqual(p.graph, graph);
  assert.deepEqual(p.tensors.get('conv1.kernel')!.shape, [3, 3, 1, 8]);
  const bad = join(store, 'bad.arrow');
  assert.throws(
    () => writeModelTensors(bad, tensors.slice(1), 'float32', { graph }),
    /graph layer conv1 names weight 'conv1.kernel', which is not written/,
  );
  assert.throws(
    () => writeModelTensors(bad, tensors, 'float32', { graph: [{ ...graph[1]!, input: 'nowhere' }] }),
    /reads 'nowhere', not an earlier layer/,
  );
  // The FCN metadata is what the FCN stages always wrote.
  const fcn = join(store, 'fcn.arrow');
  writeModelTensors(fcn, fakeParams({ arch: 'f3:x', inputDim: 4, numClasses: 2 }), 'float32', {
    arch: 'f3:x',
    inputDim: 4,
    numClasses: 2,
  });
  assert.deepEqual(readTensorFile(fcn, 'float32').metadata, {
    arch: 'f3:x',
    input_dim: '4',
    num_classes: '2',
    dtype: 'float32',
  });
});
