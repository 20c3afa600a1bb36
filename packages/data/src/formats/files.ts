import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataFormatError } from '../types.ts';

/** Reads a file, or `<path>.gz` gunzipped, with an error that says what was expected and where it comes from. */
export function readMaybeGz(path: string, what: string): { bytes: Uint8Array; file: string } {
  for (const [p, gz] of [
    [path, path.endsWith('.gz')],
    [`${path}.gz`, true],
  ] as const) {
    if (existsSync(p) && statSync(p).isFile()) {
      const raw = readFileSync(p);
      if (!gz) return { bytes: raw, file: p };
      try {
        return { bytes: gunzipSync(raw), file: p };
      } catch (e) {
        throw new DataFormatError(
          `${p}: not a valid gzip file (${(e as Error).message}); expected ${what}`,
          'truncated',
          p,
        );
      }
    }
  }
  throw new DataFormatError(`${path}: file not found; expected ${what}`, 'missing-file', path);
}
