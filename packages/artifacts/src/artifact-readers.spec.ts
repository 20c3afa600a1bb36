import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadDataset } from './artifact-readers.ts';
import { openArtifact, writeArtifact } from './store.ts';
import { writeTensorFile } from './tensors.ts';
import { writeDatasetSplit } from './dataset-file.ts';
import { tempStore, writeFakeDataset } from './testing.ts';

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
