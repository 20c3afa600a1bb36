import { writeFileSync } from 'node:fs';
import { tableToIPC, type Table } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';
import { readArrowFile } from './arrow-io.ts';

/**
 * Exports an Arrow table as Parquet with ZSTD (arrow-rs through parquet-wasm), so
 * pandas, DuckDB and polars can read results without this project.
 */
export function writeParquetFile(path: string, table: Table): void {
  const wasm = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
  writeFileSync(path, writeParquet(wasm, props));
}

export function exportArrowToParquet(arrowPath: string, parquetPath: string): void {
  writeParquetFile(parquetPath, readArrowFile(arrowPath));
}
