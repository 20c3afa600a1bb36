// Test helpers: image files made on the fly with the same libraries' encoders
// (pngjs, jpeg-js), plus a hand-made palette PNG (pngjs cannot write palettes).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { Rng } from '@imp/artifacts';

const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: {
    sync: {
      write(png: { width: number; height: number; data: Uint8Array | Uint16Array }, o: Record<string, unknown>): Buffer;
    };
  };
};

/** A smooth random texture in [0, 1] (sum of a few sinusoids), h*w. */
export function texture(w: number, h: number, seed: number): Float64Array {
  const rng = new Rng(seed, 9);
  const waves = Array.from({ length: 6 }, () => [rng.next() * 0.5, rng.next() * 0.5, rng.next() * 6.28]);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (const [a, b, p] of waves) s += Math.sin(a! * x + b! * y + p!);
      out[y * w + x] = 0.5 + s / 14;
    }
  return out;
}

/** 8-bit RGB PNG (colour type 2); channel c = texture shifted by c. */
export function writeRgbPng(file: string, w: number, h: number, seed: number): void {
  const t = texture(w, h, seed);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(255 * Math.min(1, Math.max(0, t[i]! + 0.1 * (c - 1))));
    data[4 * i + 3] = 255;
  }
  writeFileSync(file, PNG.sync.write({ width: w, height: h, data }, { colorType: 2, bitDepth: 8 }));
}

/** 8-bit RGBA PNG (colour type 6) with a varying alpha. */
export function writeRgbaPng(file: string, w: number, h: number, seed: number): void {
  const t = texture(w, h, seed);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = Math.round(255 * t[i]!);
    data[4 * i + 3] = i % 256;
  }
  writeFileSync(
    file,
    PNG.sync.write({ width: w, height: h, data }, { colorType: 6, bitDepth: 8, inputHasAlpha: true }),
  );
}

/** 16-bit grayscale PNG; returns the 16-bit samples written. */
export function writeGray16Png(file: string, w: number, h: number, seed: number): Uint16Array {
  const t = texture(w, h, seed);
  const samples = new Uint16Array(w * h);
  for (let i = 0; i < w * h; i++) samples[i] = Math.round(65535 * t[i]!);
  writeFileSync(
    file,
    PNG.sync.write(
      { width: w, height: h, data: samples },
      { colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false },
    ),
  );
  return samples;
}

/** Baseline JPEG (quality 95). */
export function writeJpeg(file: string, w: number, h: number, seed: number): void {
  const t = texture(w, h, seed);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = Math.round(255 * t[i]!);
    data[4 * i + 3] = 255;
  }
  writeFileSync(file, jpeg.encode({ width: w, height: h, data }, 95).data);
}

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const v of b) c = CRC[(c ^ v) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** 8-bit palette PNG (colour type 3) with the given RGB palette and indices (h*w). */
export function writePalettePng(
  file: string,
  w: number,
  h: number,
  palette: [number, number, number][],
  idx: Uint8Array,
): void {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // palette
  const raw = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = idx[y * w + x]!;
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  writeFileSync(
    file,
    Buffer.concat([
      sig,
      chunk('IHDR', ihdr),
      chunk('PLTE', Buffer.from(palette.flat())),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}
