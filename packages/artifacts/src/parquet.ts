import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tableToIPC, type Table } from 'apache-arrow';
import { readArrowFile } from './arrow-io.ts';

type ParquetWasm = typeof import('parquet-wasm/node');
let parquetWasm: ParquetWasm | undefined;
/** Loaded on first use: compiling its wasm costs ~40 ms, which every process start would pay. */
function wasm(): ParquetWasm {
  return (parquetWasm ??= createRequire(import.meta.url)('parquet-wasm/node') as ParquetWasm);
}

/**
 * Exports an Arrow table as Parquet with ZSTD (arrow-rs through parquet-wasm), so
 * pandas, DuckDB and polars can read results without this project.
 */
export function writeParquetFile(path: string, table: Table): void {
  const { Compression, Table: WasmTable, WriterPropertiesBuilder, writeParquet } = wasm();
  const data = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
  writeFileSync(path, writeParquet(data, props));
}

export function exportArrowToParquet(arrowPath: string, parquetPath: string): void {
  writeParquetFile(parquetPath, readArrowFile(arrowPath));
}
