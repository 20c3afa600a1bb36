import { DataFormatError } from '../types.ts';

/**
 * CIFAR-10 binary version (www.cs.toronto.edu/~kriz/cifar.html, cifar-10-binary.tar.gz):
 * records of 1 label byte (0..9) + 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each
 * 32x32 row-major) — already the chw layout used here. 10000 records per batch file.
 */
export const CIFAR_RECORD = 1 + 3072;

export function parseCifarBin(buf: Uint8Array, file: string, numClasses = 10): { x: Uint8Array; y: Int32Array } {
  if (buf.length === 0 || buf.length % CIFAR_RECORD !== 0)
    throw new DataFormatError(
      `${file}: ${buf.length} bytes is not a whole number of CIFAR-10 binary records (1 label byte + 3072 pixel bytes = ${CIFAR_RECORD}); ` +
        `${buf.length > CIFAR_RECORD ? `truncated after record ${Math.floor(buf.length / CIFAR_RECORD)}` : 'file too short'}`,
      'truncated',
      file,
    );
  const n = buf.length / CIFAR_RECORD;
  const x = new Uint8Array(n * 3072);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * CIFAR_RECORD;
    const label = buf[o]!;
    if (label >= numClasses)
      throw new DataFormatError(
        `${file}: record ${i} has label byte ${label}, expected 0..${numClasses - 1} (is this the CIFAR-10 binary version? CIFAR-100 records have 2 label bytes)`,
        'bad-magic',
        file,
      );
    y[i] = label;
    x.set(buf.subarray(o + 1, o + CIFAR_RECORD), i * 3072);
  }
  return { x, y };
}

export function encodeCifarBin(x: Uint8Array, y: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(y.length * CIFAR_RECORD);
  for (let i = 0; i < y.length; i++) {
    out[i * CIFAR_RECORD] = y[i]!;
    out.set(x.subarray(i * 3072, (i + 1) * 3072), i * CIFAR_RECORD + 1);
  }
  return out;
}
