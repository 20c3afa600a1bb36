import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, LUMA_BT601, toPlanes } from './decode.ts';
import { scanPhotoFolder } from './folder.ts';
import { buildPhotoDataset, photoSourceConfig } from './photo-source.ts';
import { texture, writeGray16Png, writeJpeg, writePalettePng, writeRgbaPng, writeRgbPng } from './test-fixtures.ts';
import { tempStore } from '@imp/artifacts/testing';

const tmp = () => tempStore('imp-photos-');

test('decodes 8-bit RGB, RGBA, 16-bit gray, palette PNGs and JPEG to [0,1]; BT.601 luminance', () => {
  const d = tmp();
  try {
    writeRgbPng(join(d, 'rgb.png'), 40, 30, 1);
    const rgb = decodeImage(join(d, 'rgb.png'));
    assert.deepEqual([rgb.width, rgb.height, rgb.format, rgb.bitDepth, rgb.colorType], [40, 30, 'png', 8, 'rgb']);
    const gray = toPlanes(rgb, 'gray');
    const i = 7 * 40 + 5;
    const want =
      LUMA_BT601[0] * rgb.rgb[3 * i]! + LUMA_BT601[1] * rgb.rgb[3 * i + 1]! + LUMA_BT601[2] * rgb.rgb[3 * i + 2]!;
    assert.ok(Math.abs(gray[i]! - want) < 1e-6);
    const planes = toPlanes(rgb, 'rgb');
    assert.equal(planes.length, 3 * 40 * 30);
    assert.equal(planes[2 * 1200 + i], rgb.rgb[3 * i + 2]); // chw: blue plane

    const s16 = writeGray16Png(join(d, 'g16.png'), 20, 10, 2);
    const g16 = decodeImage(join(d, 'g16.png'));
    assert.deepEqual([g16.bitDepth, g16.colorType], [16, 'gray']);
    for (const k of [0, 37, 199]) assert.ok(Math.abs(g16.rgb[3 * k]! - s16[k]! / 65535) < 1e-7, 'keeps all 16 bits');

    writeRgbaPng(join(d, 'rgba.png'), 16, 16, 3);
    const rgba = decodeImage(join(d, 'rgba.png'));
    assert.equal(rgba.colorType, 'rgba');
    assert.ok(Math.abs(rgba.rgb[0]! - Math.round(255 * texture(16, 16, 3)[0]!) / 255) < 1e-6, 'alpha ignored');

    const pal: [number, number, number][] = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 128, 255],
    ];
    writePalettePng(join(d, 'pal.png'), 3, 2, pal, Uint8Array.from([0, 1, 2, 2, 1, 0]));
    const p = decodeImage(join(d, 'pal.png'));
    assert.equal(p.colorType, 'palette');
    assert.deepEqual(
      Array.from(p.rgb.subarray(6, 9)).map((v) => Math.round(v * 255)),
      [0, 128, 255],
    );

    writeJpeg(join(d, 'j.jpg'), 24, 24, 4);
    const j = decodeImage(join(d, 'j.jpg'));
    assert.deepEqual([j.width, j.height, j.format], [24, 24, 'jpeg']);
    const t = texture(24, 24, 4);
    let err = 0;
    for (let k = 0; k < 576; k++) err = Math.max(err, Math.abs(j.rgb[3 * k]! - t[k]!));
    assert.ok(err < 0.06, `JPEG close to its source (max err ${err})`);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('user folder, one class per file (PNG and JPEG): builds disjoint, exact-count crops', () => {
  const d = tmp();
  try {
    writeRgbPng(join(d, 'b-sea.png'), 64, 80, 1);
    writeJpeg(join(d, 'a-wood.jpg'), 72, 64, 2);
    writeGray16Png(join(d, 'c-sand.png'), 64, 64, 3);
    writeFileSync(join(d, 'notes.txt'), 'not an image');
    const classes = scanPhotoFolder(d);
    assert.deepEqual(
      classes.map((c) => c.name),
      ['a-wood', 'b-sea', 'c-sand'],
    );
    const cfg = photoSourceConfig.parse({ folder: d, patch: 12, trainPerClass: 30, valPerClass: 7 });
    const ds = buildPhotoDataset(cfg, 5);
    assert.deepEqual(ds.classNames, ['a-wood', 'b-sea', 'c-sand']);
    assert.equal(ds.train.y.length, 90);
    assert.equal(ds.val.x.length, 21 * 144);
    const meta = ds.meta.photos as {
      origin: { kind: string; folder: string };
      photos: { file: string; sha256: string }[];
    };
    assert.equal(meta.origin.kind, 'folder');
    assert.ok(!meta.origin.folder.includes('/'), 'no absolute path recorded');
    assert.match(meta.photos[0]!.sha256, /^[0-9a-f]{64}$/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('user folder, one class per subfolder; RGB crops are chw', () => {
  const d = tmp();
  try {
    mkdirSync(join(d, 'forest'));
    mkdirSync(join(d, 'city'));
    writeRgbPng(join(d, 'forest', '1.png'), 48, 48, 1);
    writeJpeg(join(d, 'forest', '2.jpeg'), 40, 56, 2);
    writeRgbPng(join(d, 'city', 'x.png'), 50, 60, 3);
    const cfg = photoSourceConfig.parse({
      folder: d,
      patch: 8,
      color: 'rgb',
      trainPerClass: 40,
      valPerClass: 10,
      standardize: false,
    });
    const ds = buildPhotoDataset(cfg, 1);
    assert.deepEqual(ds.classNames, ['city', 'forest']);
    assert.deepEqual(ds.train.layout, { channels: 3, height: 8, width: 8, order: 'chw' });
    // Photo 0 of class 'forest' is 1.png: check one crop against the decoded image, channel-major.
    const img = decodeImage(join(d, 'forest', '1.png'));
    for (let i = 0; i < ds.train.y.length; i++) {
      if (ds.train.y[i] !== 1 || ds.origins.train[3 * i] !== 0) continue;
      const [r0, c0] = [ds.origins.train[3 * i + 1]!, ds.origins.train[3 * i + 2]!];
      for (const [ch, r, c] of [
        [0, 0, 0],
        [1, 3, 5],
        [2, 7, 7],
      ] as const)
        assert.equal(ds.train.x[i * 192 + ch * 64 + r * 8 + c], img.rgb[3 * ((r0 + r) * 48 + c0 + c) + ch]);
      return;
    }
    assert.fail('no crop of forest/1.png drawn');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('errors name the folder or file: empty folder, empty subfolder, unreadable image, too-small photo', () => {
  const d = tmp();
  try {
    assert.throws(
      () => scanPhotoFolder(d),
      (e: Error) => e.message.includes(d) && /empty/.test(e.message),
    );
    assert.throws(
      () => scanPhotoFolder(join(d, 'nope')),
      (e: Error) => e.message.includes(join(d, 'nope')),
    );
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'b'));
    writeRgbPng(join(d, 'a', '1.png'), 40, 40, 1);
    assert.throws(
      () => scanPhotoFolder(d),
      (e: Error) => e.message.includes(join(d, 'b')) && /empty/.test(e.message),
    );
    writeFileSync(join(d, 'b', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n this is not really a png'));
    const cfg = photoSourceConfig.parse({ folder: d, patch: 8, trainPerClass: 5, valPerClass: 5 });
    assert.throws(
      () => buildPhotoDataset(cfg, 0),
      (e: Error) => e.message.includes(join(d, 'b', 'broken.png')),
    );
    writeFileSync(join(d, 'b', 'broken.png'), 'plain text');
    assert.throws(
      () => buildPhotoDataset(cfg, 0),
      (e: Error) => e.message.includes('broken.png') && /not a PNG or JPEG/.test(e.message),
    );
    rmSync(join(d, 'b', 'broken.png'));
    writeRgbPng(join(d, 'b', 'tiny.png'), 40, 20, 2);
    assert.throws(
      () => buildPhotoDataset(photoSourceConfig.parse({ folder: d, patch: 8 }), 0),
      (e: Error) => e.message.includes('b/tiny.png') && /too small/.test(e.message),
    );
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
