/**
 * Writes the pickle byte streams Python produces for the official ImageNet32/64 pickled batches
 * (a dict {'data': uint8 ndarray, 'labels': list of int, 'mean': float64 ndarray}), used by tests
 * to check the reader on exactly that layout without Python: 'py3' = protocol 3 as written by
 * Python 3 (raw data as BINBYTES, module numpy.core.multiarray), 'py2' = protocol 2 as written
 * by Python 2's cPickle (keys and raw data as str: SHORT_BINSTRING / BINSTRING).
 */
export function encodeImagenetPickle(
  data: Uint8Array,
  shape: [number, number],
  labels: number[],
  mean: Float64Array,
  flavour: 'py2' | 'py3',
): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const ascii = (s: string) => out.push(...Buffer.from(s, 'latin1'));
  const str = (s: string) => {
    if (flavour === 'py3') {
      out.push(0x58); // BINUNICODE
      u32(s.length);
      ascii(s);
    } else {
      out.push(0x55, s.length); // SHORT_BINSTRING
      ascii(s);
    }
  };
  const int = (v: number) => {
    if (v >= 0 && v < 256)
      out.push(0x4b, v); // BININT1
    else if (v >= 0 && v < 65536)
      out.push(0x4d, v & 255, v >> 8); // BININT2
    else {
      out.push(0x4a); // BININT
      u32(v);
    }
  };
  const raw = (b: Uint8Array) => {
    out.push(flavour === 'py3' ? 0x42 : 0x54); // BINBYTES | BINSTRING
    u32(b.length);
    for (const v of b) out.push(v);
  };
  const ndarray = (descr: string, order: string, dims: number[], bytes: Uint8Array) => {
    ascii('cnumpy.core.multiarray\n_reconstruct\n');
    ascii('cnumpy\nndarray\n');
    out.push(0x4b, 0, 0x85); // (0,)
    if (flavour === 'py3')
      out.push(0x43, 1, 0x62); // SHORT_BINBYTES b'b'
    else out.push(0x55, 1, 0x62);
    out.push(0x87, 0x52); // TUPLE3 REDUCE
    out.push(0x28); // MARK
    int(1);
    for (const d of dims) int(d);
    out.push(dims.length === 1 ? 0x85 : 0x86); // shape tuple
    ascii('cnumpy\ndtype\n');
    str(descr);
    out.push(0x89, 0x88, 0x87, 0x52); // False True TUPLE3 REDUCE
    out.push(0x28);
    int(3);
    str(order);
    out.push(0x4e, 0x4e, 0x4e, 0x4a, 255, 255, 255, 255, 0x4a, 255, 255, 255, 255);
    int(0);
    out.push(0x74, 0x62); // TUPLE BUILD (dtype state)
    out.push(0x89); // fortran = False
    raw(bytes);
    out.push(0x74, 0x62); // TUPLE BUILD (array state)
  };
  out.push(0x80, flavour === 'py3' ? 3 : 2, 0x7d, 0x28); // PROTO, EMPTY_DICT, MARK
  str('data');
  ndarray('u1', '|', shape, data);
  str('labels');
  out.push(0x5d, 0x28); // EMPTY_LIST MARK
  for (const l of labels) int(l);
  out.push(0x65); // APPENDS
  str('mean');
  ndarray('f8', '<', [mean.length], new Uint8Array(mean.buffer, mean.byteOffset, mean.byteLength));
  out.push(0x75, 0x2e); // SETITEMS STOP
  return Uint8Array.from(out);
}
