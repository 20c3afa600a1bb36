import { readFileSync, writeFileSync } from 'node:fs';
import { type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ArtifactError } from './errors.ts';

/** Arrow IPC *file* format (Feather v2): readable by pyarrow, polars and DuckDB. */
export function writeArrowFile(path: string, table: Table): void {
  writeFileSync(path, tableToIPC(table, 'file'));
}

/**
 * Reads an Arrow IPC file. Numeric columns come back as views on the file buffer,
 * so reading a 60k-image dataset costs one file read.
 */
/** Reads an Arrow IPC file; `bytes` are its contents when the caller already has them (e.g. mapped). */
export function readArrowFile(path: string, bytes?: Uint8Array): Table {
  const buf = bytes ?? readFileSync(path);
  try {
    return tableFromIPC(buf);
  } catch (e) {
    throw new ArtifactError(`${path}: not a readable Arrow IPC file (${(e as Error).message})`, 'bad-table', path);
  }
}

export function metadataOf(table: Table): Record<string, string> {
  return Object.fromEntries(table.schema.metadata);
}
