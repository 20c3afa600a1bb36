import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  openArtifact,
  parseConfig,
  planStage,
  readDatasetSplit,
  readTensorFile,
  runStage,
} from '@imp/artifacts';
import { writeRgbPng } from './photos/test-fixtures.ts';
import { dataStage } from './stage.ts';
import { inversePermutation, permuteImages } from './transforms/permute.ts';
import { mnistSource } from './sources/mnist.ts';
import { Rng } from '@imp/artifacts';
import { tempStore } from '@imp/artifacts/testing';

const config = {
  source: { name: 'mnist' },
  transforms: [{ name: 'subset', n: 300 }, { name: 'subset', split: 'val', n: 100 }, { name: 'permute-pixels' }],
  normalization: 'standardize',
  seed: 7,
};
const quiet = () => {};
const here = dirname(fileURLToPath(import.meta.url));

test('data stage: writes a dataset artifact; same config => reused and byte-identical', async () => {
  const storeA = tempStore('data-a-');
  const storeB = tempStore('data-b-');
  // Each write happens in a fresh CLI process: apache-arrow numbers dictionary types from a
  // process-global counter, so two writes inside one process can differ in that id (see README).
  const cli = (store: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(here, 'cli.ts'), '--config', JSON.stringify(config), '--store', store],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      ),
    );
  const a = cli(storeA);
  const b = cli(storeB);
  assert.equal(a.skipped, false);
  assert.equal(b.skipped, false);
  for (const f of ['train.arrow', 'val.arrow', 'normalization.arrow'])
    assert.ok(readFileSync(join(a.outputs.dataset, f)).equals(readFileSync(join(b.outputs.dataset, f))), f);
  const r1 = await runStage(dataStage, { config, inputs: {}, store: storeA, log: quiet });
  assert.equal(r1.skipped, true);
  assert.equal(r1.outputs.dataset!.dir, a.outputs.dataset);
  assert.equal(cli(storeA).skipped, true);
  const art = await openArtifact(a.outputs.dataset, { kind: 'dataset' });
  const s = art.manifest.summary as Record<string, unknown>;
  assert.equal(s.n_train, 300);
  assert.equal(s.n_val, 100);
  assert.equal(s.num_classes, 10);
  assert.equal(art.manifest.seed, 7);
  const train = readDatasetSplit(art.file('train.arrow'));
  assert.deepEqual(train.layout, { channels: 1, height: 28, width: 28, order: 'chw' });
  assert.deepEqual(
    (train.meta.transforms as { name: string }[]).map((t) => t.name),
    ['subset', 'subset', 'permute-pixels'],
  );
  assert.equal((train.meta.class_names as string[]).length, 10);
  const { tensors } = readTensorFile(art.file('normalization.arrow'), 'float32');
  const byName = Object.fromEntries(tensors.map((t) => [t.name, t]));
  assert.deepEqual(Object.keys(byName), ['offset', 'scale', 'permutation']);
  // Undo the stored permutation: the first 300 MNIST training images come back exactly.
  const perm = Int32Array.from(byName.permutation!.data);
  const mnist = await mnistSource.load({ name: 'mnist', dir: null }, { rng: new Rng(0), seed: 0, log: quiet });
  assert.deepEqual(
    permuteImages(Uint8Array.from(train.x), inversePermutation(perm)),
    mnist.train.x.subarray(0, 300 * 784),
  );
  // standardize: (x - offset) * scale has mean 0 and unit variance at a busy pixel.
  const j = 14 * 28 + 14;
  const jp = inversePermutation(perm)[j]!;
  let m = 0,
    v = 0;
  for (let i = 0; i < 300; i++) m += (train.x[i * 784 + jp]! - byName.offset!.data[jp]!) * byName.scale!.data[jp]!;
  for (let i = 0; i < 300; i++)
    v += ((train.x[i * 784 + jp]! - byName.offset!.data[jp]!) * byName.scale!.data[jp]!) ** 2;
  assert.ok(Math.abs(m / 300) < 1e-5 && Math.abs(v / 300 - 1) < 1e-4);
});

test('data stage: paper normalisation on NLGP (float pixels), and a bad config is a ConfigError naming the field', async () => {
  const store = tempStore('data-c-');
  const r = await runStage(dataStage, {
    config: { source: { name: 'nlgp', size: 8, nTrain: 40, nVal: 10 } },
    inputs: {},
    store,
    log: quiet,
  });
  const art = await openArtifact(r.outputs.dataset!.dir, { kind: 'dataset' });
  const { tensors } = readTensorFile(art.file('normalization.arrow'), 'float32');
  assert.equal(tensors[1]!.data[0], 1); // pixel_range 1 for float sources
  assert.equal((art.manifest.summary as { pixel_dtype: string }).pixel_dtype, 'float32');
  await assert.rejects(
    runStage(dataStage, { config: { source: { name: 'mnist' }, normalization: 'zscore' }, inputs: {}, store }),
    (e) => e instanceof ConfigError && /field 'normalization'/.test(e.message),
  );
  await assert.rejects(
    runStage(dataStage, {
      config: { source: { name: 'cifar10' }, transforms: [{ name: 'subset', n: -3 }] },
      inputs: {},
      store,
    }),
    (e) => e instanceof ConfigError && /transforms\.0\.n/.test(e.message),
  );
  await assert.rejects(
    runStage(dataStage, { config: { source: { name: 'cifar10' } }, inputs: {}, store, log: quiet }),
    /no data directory given.*cifar-10-batches-bin/,
  );
});

test('data config: an old snake_case key is one ConfigError naming its new name (sources, transforms)', async () => {
  const store = tempStore('data-d-');
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { source: { name: 'imagenet32', dir: store, train_limit: 5 } },
      /field 'source': 'train_limit' was renamed to 'trainLimit'/,
    ],
    [{ source: { name: 'nlgp', n_train: 5 } }, /'n_train' was renamed to 'nTrain'/],
    [{ source: { name: 'photos', val_fraction: 0.5 } }, /'val_fraction' was renamed to 'valFraction'/],
    [
      { source: { name: 'mnist' }, transforms: [{ name: 'canvas', height: 30, width: 30, noise_std: 1 }] },
      /field 'transforms\.0': 'noise_std' was renamed to 'noiseStd'/,
    ],
    [
      { source: { name: 'mnist' }, transforms: [{ name: 'relabel', by: 'modulo', k: 2, class_names: ['a', 'b'] }] },
      /'class_names' was renamed to 'classNames'/,
    ],
  ];
  for (const [config, re] of cases)
    await assert.rejects(
      runStage(dataStage, { config, inputs: {}, store, log: quiet }),
      (e) => e instanceof ConfigError && re.test(e.message) && e.message.split('\n').length === 1,
      JSON.stringify(config),
    );
});

test('external inputs enter the id by content: a replaced photo or an edited mapping file is a new dataset', async () => {
  const store = tempStore('data-e-');
  process.env.IMP_STORE = store; // the content-hash cache lives under the store
  const folder = join(store, 'photos');
  mkdirSync(folder);
  writeRgbPng(join(folder, 'a.png'), 40, 40, 1);
  writeRgbPng(join(folder, 'b.png'), 40, 40, 2);
  const map = join(store, 'map.dat');
  writeFileSync(map, '0,1');
  const cfg = {
    source: { name: 'photos', folder, patch: 8, trainPerClass: 4, valPerClass: 2 },
    transforms: [{ name: 'relabel', by: 'file', file: map }],
  };
  const id = () => {
    const parsed = parseConfig(dataStage.config, cfg, 'data config');
    return planStage(dataStage, parsed, {}, store).dataset!.id;
  };
  const first = await runStage(dataStage, { config: cfg, inputs: {}, store, log: quiet });
  assert.equal(first.outputs.dataset!.id, id(), 'plan and run agree');
  const man = (await openArtifact(first.outputs.dataset!.dir)).manifest.config as {
    externalInputs: Record<string, string>;
  };
  assert.deepEqual(Object.keys(man.externalInputs), ['source.folder', 'transforms.0.file']);
  assert.match(man.externalInputs['source.folder']!, /^[0-9a-f]{64}$/);
  assert.ok(existsSync(join(store, '.cache', 'content-hashes.json')), 'hashes cached under the store');
  assert.equal(id(), first.outputs.dataset!.id, 'unchanged inputs: same id');

  writeRgbPng(join(folder, 'b.png'), 40, 40, 3); // same name, other pixels
  const second = id();
  assert.notEqual(second, first.outputs.dataset!.id, 'a replaced photo changes the id');
  const r2 = await runStage(dataStage, { config: cfg, inputs: {}, store, log: quiet });
  assert.equal(r2.skipped, false);
  assert.equal(r2.outputs.dataset!.id, second);

  writeFileSync(map, '1,0');
  assert.notEqual(id(), second, 'an edited mapping file changes the id');
  delete process.env.IMP_STORE;
});
