import { DataFormatError } from '../types.ts';

/**
 * The IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): a 4-byte magic
 * 0x00 0x00 <type> <ndim> (type 0x08 = unsigned byte), ndim big-endian uint32 sizes, then the data.
 * Images: magic 0x00000803 (2051), N x rows x cols; labels: 0x00000801 (2049), N.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(buf: Uint8Array, file: string, expectNdim?: number): IdxArray {
  if (buf.length < 4)
    throw new DataFormatError(`${file}: truncated IDX file (${buf.length} bytes, no header)`, 'truncated', file);
  if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08)
    throw new DataFormatError(
      `${file}: wrong IDX magic number 0x${[...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')} ` +
        `(expected 0x00000801 for labels or 0x00000803 for images, unsigned-byte IDX as published with MNIST/Fashion-MNIST)`,
      'bad-magic',
      file,
    );
  const ndim = buf[3]!;
  if (expectNdim !== undefined && ndim !== expectNdim)
    throw new DataFormatError(
      `${file}: IDX magic 0x000008${ndim.toString(16).padStart(2, '0')} has ${ndim} dimensions, expected ${expectNdim} (magic 0x0000080${expectNdim})`,
      'bad-magic',
      file,
    );
  const header = 4 + 4 * ndim;
  if (buf.length < header)
    throw new DataFormatError(`${file}: truncated IDX header (${buf.length} of ${header} bytes)`, 'truncated', file);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => dv.getUint32(4 + 4 * i, false));
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.length < header + n)
    throw new DataFormatError(
      `${file}: truncated IDX data: header says [${dims.join(', ')}] = ${n} bytes, file has ${buf.length - header}`,
      'truncated',
      file,
    );
  if (buf.length > header + n)
    throw new DataFormatError(
      `${file}: ${buf.length - header - n} unexpected bytes after the IDX data of shape [${dims.join(', ')}]`,
      'bad-format',
      file,
    );
  return { dims, data: buf.subarray(header, header + n) };
}

/** Parses an images file and its labels file and checks they agree. */
export function parseIdxPair(
  images: { bytes: Uint8Array; file: string },
  labels: { bytes: Uint8Array; file: string },
  numClasses: number,
): { x: Uint8Array; y: Int32Array; height: number; width: number } {
  const im = parseIdx(images.bytes, images.file, 3);
  const lb = parseIdx(labels.bytes, labels.file, 1);
  const [n, h, w] = im.dims as [number, number, number];
  if (lb.dims[0] !== n)
    throw new DataFormatError(
      `${labels.file}: ${lb.dims[0]} labels for ${n} images in ${images.file}`,
      'bad-format',
      labels.file,
    );
  const y = Int32Array.from(lb.data);
  for (let i = 0; i < y.length; i++)
    if (y[i]! >= numClasses)
      throw new DataFormatError(
        `${labels.file}: label ${y[i]} at index ${i} is not in 0..${numClasses - 1}`,
        'bad-value',
        labels.file,
      );
  return { x: new Uint8Array(im.data), y, height: h, width: w };
}

/** Writes an IDX file (used by tests and fixtures). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, 0x08, dims.length]);
  const dv = new DataView(out.buffer);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
