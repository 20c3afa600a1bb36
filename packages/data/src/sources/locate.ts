import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError } from '../types.ts';

/**
 * Finds the directory holding `probe` among `dir` and its known sub-folders; otherwise a
 * DataFormatError that says which layout is expected and where the data comes from.
 */
export function locateDir(dir: string | null, probe: string[], subdirs: string[], expected: string): string {
  if (!dir) throw new DataFormatError(`no data directory given (option 'dir'); expected ${expected}`, 'missing-file');
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DataFormatError(`${dir}: directory not found; expected ${expected}`, 'missing-file', dir);
  for (const d of [dir, ...subdirs.map((s) => join(dir, s))]) if (probe.some((p) => existsSync(join(d, p)))) return d;
  throw new DataFormatError(
    `${dir}: none of ${probe.join(', ')} found here or in ${subdirs.join(', ') || '(no sub-folders)'}; expected ${expected}`,
    'missing-file',
    dir,
  );
}
