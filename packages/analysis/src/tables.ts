/** Result tables: Arrow IPC (the store's format) plus a Parquet copy for pandas/DuckDB users. */
import { join } from 'node:path';
import { Field, Float64, List, Table, Utf8, makeVector, vectorFromArray, type Vector } from 'apache-arrow';
import { writeArrowFile, writeParquetFile } from '@imp/artifacts';

export type Column =
  { int: ArrayLike<number> } | { float: ArrayLike<number> } | { str: string[] } | { floatList: ArrayLike<number>[] };

export function makeTable(cols: Record<string, Column>): Table {
  const vecs: Record<string, Vector> = {};
  for (const [name, c] of Object.entries(cols)) {
    if ('int' in c) vecs[name] = makeVector(Int32Array.from(c.int));
    else if ('float' in c) vecs[name] = makeVector(Float64Array.from(c.float));
    else if ('str' in c) vecs[name] = vectorFromArray(c.str, new Utf8());
    else
      vecs[name] = vectorFromArray(
        c.floatList.map((a) => Array.from(a)),
        new List(new Field('item', new Float64(), true)),
      );
  }
  return new Table(vecs);
}

export interface TableEntry {
  file: string;
  parquet: string;
  title: string;
  rows: number;
}

/** Writes `tables/<name>.arrow` and `tables/<name>.parquet`. */
export function writeTable(dir: string, name: string, title: string, cols: Record<string, Column>): TableEntry {
  const t = makeTable(cols);
  const file = `tables/${name}.arrow`;
  const parquet = `tables/${name}.parquet`;
  writeArrowFile(join(dir, file), t);
  writeParquetFile(join(dir, parquet), t);
  return { file, parquet, title, rows: t.numRows };
}

/** Row objects → columns, with a declared type per field. */
export function columns<R extends Record<string, unknown>>(
  rows: R[],
  types: Record<keyof R & string, 'int' | 'float' | 'str'>,
): Record<string, Column> {
  const out: Record<string, Column> = {};
  for (const [k, ty] of Object.entries(types) as [string, 'int' | 'float' | 'str'][]) {
    const vals = rows.map((r) => r[k]);
    if (ty === 'str') out[k] = { str: vals.map(String) };
    else if (ty === 'int') out[k] = { int: vals.map((v) => Number(v)) };
    else out[k] = { float: vals.map((v) => (v === null || v === undefined ? NaN : Number(v))) };
  }
  return out;
}
