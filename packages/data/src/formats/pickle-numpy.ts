import { DataFormatError } from '../types.ts';

/**
 * Python pickles of dicts holding NumPy arrays (the official ImageNet32/64 "pickled" batches),
 * read with `pickleparser` plus a small emulation of NumPy's pickle protocol:
 * `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')` then BUILD with the state
 * (version, shape, dtype, fortran, raw bytes); `numpy.dtype('u1', False, True)` then BUILD
 * with (3, byteorder, ...). Raw bytes arrive as BINBYTES (protocol >= 3), as
 * `_codecs.encode(str, 'latin1')` (protocol 2 written by Python 3) or as a Python 2 str
 * (decoded by pickleparser as windows-1252, inverted here byte for byte).
 */
class PyDtype {
  descr: string;
  byteorder = '|';
  constructor(descr: string) {
    this.descr = descr;
  }
  __setstate__(state: unknown[]) {
    this.byteorder = String(state[1] ?? '|');
  }
}

export class PyNdArray {
  shape: number[] = [];
  dtype: PyDtype = new PyDtype('u1');
  raw: Uint8Array = new Uint8Array(0);
  __setstate__(state: unknown[]) {
    const [, shape, dtype, fortran, raw] = state as [number, number[], PyDtype, boolean, unknown];
    if (fortran) throw new Error('Fortran-order arrays are not supported');
    this.shape = Array.from(shape);
    this.dtype = dtype;
    this.raw = toBytes(raw);
  }
  /** uint8 data as is; other dtypes converted to numbers. */
  values(): Uint8Array | Float64Array {
    const d = this.dtype.descr.replace(/^[<>|=]/, '');
    if (d === 'u1') return this.raw;
    const le = this.dtype.byteorder !== '>';
    const dv = new DataView(this.raw.buffer, this.raw.byteOffset, this.raw.byteLength);
    const size = Number(d.slice(1));
    const n = this.raw.length / size;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      out[i] =
        d === 'f8'
          ? dv.getFloat64(o, le)
          : d === 'f4'
            ? dv.getFloat32(o, le)
            : d === 'i8'
              ? Number(dv.getBigInt64(o, le))
              : d === 'u8'
                ? Number(dv.getBigUint64(o, le))
                : d === 'i4'
                  ? dv.getInt32(o, le)
                  : d === 'u4'
                    ? dv.getUint32(o, le)
                    : d === 'i2'
                      ? dv.getInt16(o, le)
                      : d === 'u2'
                        ? dv.getUint16(o, le)
                        : d === 'i1'
                          ? dv.getInt8(o)
                          : NaN;
    }
    if (n && Number.isNaN(out[0]!) && !d.startsWith('f')) throw new Error(`unsupported dtype '${this.dtype.descr}'`);
    return out;
  }
}

let cp1252: Map<number, number> | undefined;
/** Bytes from a pickled bytes-like value (Uint8Array, latin1 string, or windows-1252-decoded Python 2 str). */
function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    const out = new Uint8Array(v.length);
    let needTable = false;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 255) needTable = true;
      out[i] = c;
    }
    if (needTable) {
      cp1252 ??= new Map(
        [...new TextDecoder('ascii').decode(Uint8Array.from({ length: 256 }, (_, i) => i))].map((ch, i) => [
          ch.charCodeAt(0),
          i,
        ]),
      );
      for (let i = 0; i < v.length; i++) out[i] = cp1252.get(v.charCodeAt(i)) ?? 0;
    }
    return out;
  }
  throw new Error(`expected bytes, got ${typeof v}`);
}

/** Unpickles a dict of NumPy arrays and lists. */
export async function unpickleNumpyDict(buf: Uint8Array, file: string): Promise<Record<string, unknown>> {
  const { Parser, NameRegistry } = (await import('pickleparser')) as typeof import('pickleparser');
  const reg = new NameRegistry();
  const reconstruct = () => new PyNdArray();
  for (const mod of ['numpy.core.multiarray', 'numpy._core.multiarray']) reg.register(mod, '_reconstruct', reconstruct);
  reg.register('numpy', 'ndarray', function ndarray() {});
  reg.register('numpy', 'dtype', (descr: string) => new PyDtype(descr));
  reg.register('_codecs', 'encode', (s: string) => toBytes(s));
  if (buf.length < 2 || buf[0] !== 0x80) {
    // Protocol 0/1 pickles start with an opcode other than PROTO; accept '(' / '}' / ']' too.
    if (!buf.length || ![0x28, 0x7d, 0x5d, 0x63].includes(buf[0]!))
      throw new DataFormatError(
        `${file}: not a Python pickle (first byte 0x${(buf[0] ?? 0).toString(16)})`,
        'bad-magic',
        file,
      );
  }
  let obj: unknown;
  try {
    obj = new Parser({ nameResolver: reg }).parse(buf);
  } catch (e) {
    const msg = (e as Error).message;
    throw new DataFormatError(
      `${file}: cannot unpickle (${msg})`,
      /more bytes|end of file/i.test(msg) ? 'truncated' : 'bad-format',
      file,
    );
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new DataFormatError(`${file}: the pickle does not hold a dict`, 'bad-format', file);
  return obj instanceof Map ? Object.fromEntries(obj) : (obj as Record<string, unknown>);
}
