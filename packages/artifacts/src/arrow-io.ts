import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { RecordBatchFileWriter, type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ArtifactError } from './errors.ts';

/**
 * Arrow IPC *file* format (Feather v2): readable by pyarrow, polars and DuckDB. The writer's
 * chunks (mostly views on the columns' own buffers) go to the file one by one: tableToIPC
 * first joins them into one new buffer, a second copy of a 188 MB dataset split with its page
 * faults (~0.5 s of CPU here). Falls back to tableToIPC if the writer's chunk list is not where
 * this apache-arrow version keeps it; arrow-io.spec.ts checks both give the same bytes.
 */
export function writeArrowFile(path: string, table: Table): void {
  const writer = RecordBatchFileWriter.writeAll(table);
  const chunks = (writer as unknown as { _sink?: { _values?: unknown } })._sink?._values;
  if (!Array.isArray(chunks) || !chunks.every((c) => c instanceof Uint8Array)) {
    writeFileSync(path, tableToIPC(table, 'file'));
    return;
  }
  const fd = openSync(path, 'w');
  try {
    for (const c of chunks as Uint8Array[]) for (let o = 0; o < c.byteLength; ) o += writeSync(fd, c, o);
  } finally {
    closeSync(fd);
  }
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
