import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
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

/**
 * Hashes the file through one reused 1 MB buffer, so large datasets are hashed without a second
 * copy in memory. (A read stream allocates a fresh buffer per chunk: on this VM the page faults
 * of those buffers cost more than the hashing, ~2× the CPU for a 188 MB dataset; issue 12.)
 */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}
