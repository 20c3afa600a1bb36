import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: key order, whitespace and number formatting are
 * fixed, so the same config always hashes the same way.
 */
export function canonicalJson(value: unknown): string {
  const s = (canonicalize as unknown as (v: unknown) => string | undefined)(value);
  if (s === undefined) throw new TypeError('value cannot be represented as canonical JSON');
  return s;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streams the file so that large datasets are hashed without a second copy in memory. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 4 << 20 })
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
