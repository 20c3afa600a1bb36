import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from './decode.ts';
import { DEFAULT_PHOTOS, locateSkimagePhotos, packagePhotoFile } from './skimage.ts';
import { tempStore } from '@imp/artifacts/testing';

const hasAptGet = spawnSync('apt-get', ['--version']).status === 0;

test('without apt-get the error tells how to supply a folder', () => {
  const cache = tempStore('imp-skimage-');
  try {
    assert.throws(
      () => locateSkimagePhotos({ cacheDir: cache, ignoreInstalled: true, aptGet: join(cache, 'no-apt-get') }),
      (e: Error) => /not available/.test(e.message) && /`folder`/.test(e.message) && /PNG or JPEG/.test(e.message),
    );
    if (!hasAptGet)
      assert.throws(
        () => locateSkimagePhotos({ cacheDir: cache, ignoreInstalled: true }),
        (e: Error) => /`folder`/.test(e.message),
      );
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test(
  'package route: apt-get download into a fresh cache, unpack skimage/data, decode the default photos',
  { skip: !hasAptGet && 'apt-get is missing' },
  () => {
    const cache = tempStore('imp-skimage-');
    try {
      const p = locateSkimagePhotos({ cacheDir: cache, ignoreInstalled: true });
      assert.equal(p.origin, 'package-file');
      assert.match(p.version, /^\d+\.\d+/);
      const sizes: Record<string, [number, number]> = {
        astronaut: [512, 512],
        camera: [512, 512],
        chelsea: [451, 300],
        coins: [384, 303],
        rocket: [640, 427],
      };
      for (const name of DEFAULT_PHOTOS) {
        const img = decodeImage(packagePhotoFile(p.dir, name));
        if (sizes[name]) assert.deepEqual([img.width, img.height], sizes[name], name);
      }
      // Every image the package ships decodes (palette, gray+alpha, 16-bit and JPEG files among them).
      for (const f of ['palette_color.png', 'palette_gray.png', 'logo.png', 'retina.jpg']) {
        const img = decodeImage(join(p.dir, f));
        assert.ok(img.width > 0 && img.rgb.every((v) => v >= 0 && v <= 1), f);
      }
      // A second call is served by the cache (no download).
      const again = locateSkimagePhotos({ cacheDir: cache, ignoreInstalled: true, aptGet: join(cache, 'no-apt-get') });
      assert.equal(again.dir, p.dir);
      assert.throws(() => packagePhotoFile(p.dir, 'no-such-photo'), /no photograph 'no-such-photo'.*astronaut/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
);

test(
  'data stage with source photos: same seed ⇒ byte-identical artifact; version and sha256 recorded',
  { skip: !hasAptGet && 'apt-get is missing' },
  async () => {
    const stores = [tempStore('imp-store-'), tempStore('imp-store-')];
    try {
      const config = { source: { name: 'photos', trainPerClass: 300, valPerClass: 60 }, seed: 9 };
      // Two separate CLI processes: the Arrow writer's output also depends on what the same
      // process wrote before (flatbuffer builder state in @imp/artifacts), so in-process
      // repeats are not a fair byte-identity check.
      const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
      const [a, b] = stores.map((store) => {
        const r = spawnSync(
          process.execPath,
          ['--import', 'tsx', cli, '--config', JSON.stringify(config), '--store', store],
          { encoding: 'utf8' },
        );
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout.trim().split('\n').at(-1)!).outputs.dataset as string;
      });
      assert.equal(basename(a!), basename(b!));
      for (const f of ['train.arrow', 'val.arrow', 'normalization.arrow'])
        assert.equal(
          createHash('sha256')
            .update(readFileSync(join(a!, f)))
            .digest('hex'),
          createHash('sha256')
            .update(readFileSync(join(b!, f)))
            .digest('hex'),
          f,
        );
      const man = JSON.parse(readFileSync(join(a!, 'manifest.json'), 'utf8'));
      assert.equal(man.summary.n_train, 3000);
      assert.deepEqual(man.summary.train_class_counts, new Array(10).fill(300));
      const { readDatasetSplit } = await import('@imp/artifacts');
      const val = readDatasetSplit(join(a!, 'val.arrow'));
      const prov = (val.meta as { provenance: { origin: { version: string }; photos: { sha256: string }[] } })
        .provenance;
      assert.match(prov.origin.version, /^\d/);
      assert.equal(prov.photos.length, 10);
      assert.ok(prov.photos.every((p) => /^[0-9a-f]{64}$/.test(p.sha256)));
      assert.ok(val.x instanceof Float32Array);
    } finally {
      for (const s of stores) rmSync(s, { recursive: true, force: true });
    }
  },
);
