import { unzipSync, zipSync } from 'fflate';
import { DataFormatError } from '../types.ts';

/**
 * NumPy .npy (format versions 1-3: magic \x93NUMPY, version, little-endian header length,
 * a Python-literal dict {'descr', 'fortran_order', 'shape'}, then the raw C-order data) and
 * .npz (a zip of .npy files, stored or deflated), as written by numpy.save/savez.
 */
export interface NpyArray {
  descr: string;
  shape: number[];
  /** uint8 data stays uint8; every other dtype is converted to float64 numbers. */
  data: Uint8Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(buf: Uint8Array, file: string): NpyArray {
  if (buf.length < 10)
    throw new DataFormatError(`${file}: truncated .npy file (${buf.length} bytes)`, 'truncated', file);
  if (!MAGIC.every((b, i) => buf[i] === b))
    throw new DataFormatError(`${file}: not a .npy array (magic number is not \\x93NUMPY)`, 'bad-magic', file);
  const major = buf[6]!;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const [hlen, hstart] = major === 1 ? [dv.getUint16(8, true), 10] : [dv.getUint32(8, true), 12];
  if (buf.length < hstart + hlen) throw new DataFormatError(`${file}: truncated .npy header`, 'truncated', file);
  const header = new TextDecoder('latin1').decode(buf.subarray(hstart, hstart + hlen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new DataFormatError(`${file}: unreadable .npy header ${JSON.stringify(header.trim())}`, 'bad-format', file);
  if (fortran === 'True')
    throw new DataFormatError(
      `${file}: Fortran-order arrays are not supported (expected C order as numpy.savez writes)`,
      'bad-format',
      file,
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])([uif])(\d+)$/.exec(descr);
  if (!m) throw new DataFormatError(`${file}: unsupported dtype '${descr}'`, 'bad-format', file);
  const [, order, kind, sizeText] = m as unknown as [string, string, string, string];
  const size = Number(sizeText);
  const start = hstart + hlen;
  if (buf.length < start + n * size)
    throw new DataFormatError(
      `${file}: truncated .npy data: shape (${shape.join(', ')}) of '${descr}' needs ${n * size} bytes, file has ${buf.length - start}`,
      'truncated',
      file,
    );
  if (kind === 'u' && size === 1) return { descr, shape, data: buf.slice(start, start + n) };
  const le = order !== '>';
  const out = new Float64Array(n);
  const get: (o: number) => number =
    kind === 'f'
      ? size === 4
        ? (o) => dv.getFloat32(o, le)
        : size === 8
          ? (o) => dv.getFloat64(o, le)
          : bad()
      : size === 1
        ? (o) => (kind === 'u' ? dv.getUint8(o) : dv.getInt8(o))
        : size === 2
          ? (o) => (kind === 'u' ? dv.getUint16(o, le) : dv.getInt16(o, le))
          : size === 4
            ? (o) => (kind === 'u' ? dv.getUint32(o, le) : dv.getInt32(o, le))
            : size === 8
              ? (o) => Number(kind === 'u' ? dv.getBigUint64(o, le) : dv.getBigInt64(o, le))
              : bad();
  function bad(): never {
    throw new DataFormatError(`${file}: unsupported dtype '${descr}'`, 'bad-format', file);
  }
  for (let i = 0; i < n; i++) out[i] = get(start + i * size);
  return { descr, shape, data: out };
}

/** Reads the named arrays (`data` for `data.npy`) of an .npz archive. */
export function parseNpz(buf: Uint8Array, file: string, names: string[]): Record<string, NpyArray> {
  if (buf.length < 4 || buf[0] !== 0x50 || buf[1] !== 0x4b)
    throw new DataFormatError(
      `${file}: not an .npz archive (no zip signature PK); expected numpy.savez output with ${names.map((n) => `${n}.npy`).join(', ')}`,
      'bad-magic',
      file,
    );
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(buf, { filter: (f) => names.includes(f.name.replace(/\.npy$/, '')) });
  } catch (e) {
    throw new DataFormatError(
      `${file}: damaged or truncated .npz archive (${(e as Error).message})`,
      'truncated',
      file,
    );
  }
  const out: Record<string, NpyArray> = {};
  for (const name of names) {
    const entry = files[`${name}.npy`] ?? files[name];
    if (!entry)
      throw new DataFormatError(
        `${file}: .npz has no array '${name}' (has: ${Object.keys(unzipSync(buf, { filter: () => false })).join(', ') || 'none listed'})`,
        'bad-format',
        file,
      );
    out[name] = parseNpy(entry, `${file}:${name}.npy`);
  }
  return out;
}

/** Writes a version-1 .npy (tests and fixtures): descr '|u1', '<i8' or '<f8'. */
export function encodeNpy(descr: '|u1' | '<i8' | '<f8', shape: number[], values: ArrayLike<number>): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = descr === '|u1' ? 1 : 8;
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set(MAGIC);
  out[6] = 1;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const s = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    if (descr === '|u1') out[s + i] = values[i]!;
    else if (descr === '<i8') dv.setBigInt64(s + 8 * i, BigInt(values[i]!), true);
    else dv.setFloat64(s + 8 * i, values[i]!, true);
  }
  return out;
}

export function encodeNpz(arrays: Record<string, Uint8Array>, compress = false): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${k}.npy`, v])), {
    level: compress ? 6 : 0,
  });
}
