/** Result tables: Arrow IPC (the store's format) plus a Parquet copy for pandas/DuckDB users. */
import { join } from 'node:path';
import { Field, Float64, List, Table, Utf8, makeVector, vectorFromArray, type Vector } from 'apache-arrow';
import { writeArrowFile, writeParquetFile } from '@imp/artifacts';
import type { TableDecl, TableRow } from './measure.ts';

/** Columns in declared order and type; a float cell that is null or missing is NaN. */
export function makeTable(decl: TableDecl, rows: TableRow[]): Table {
  const vecs: Record<string, Vector> = {};
  for (const c of decl.columns) {
    const vals = rows.map((r) => r[c.name]);
    if (c.type === 'int') vecs[c.name] = makeVector(Int32Array.from(vals, (v) => Number(v)));
    else if (c.type === 'float')
      vecs[c.name] = makeVector(Float64Array.from(vals, (v) => (v === null || v === undefined ? NaN : Number(v))));
    else if (c.type === 'str') vecs[c.name] = vectorFromArray(vals.map(String), new Utf8());
    else
      vecs[c.name] = vectorFromArray(
        vals.map((a) => Array.from(a as ArrayLike<number>)),
        new List(new Field('item', new Float64(), true)),
      );
  }
  return new Table(vecs);
}

/** A row must have exactly the declared columns (a typo would otherwise write a column of NaN). */
export function checkRow(decl: TableDecl, row: TableRow): void {
  const want = decl.columns.map((c) => c.name);
  const extra = Object.keys(row).filter((k) => !want.includes(k));
  const missing = want.filter((k) => !(k in row));
  if (extra.length || missing.length)
    throw new Error(
      `analysis table '${decl.name}': row ${extra.length ? `has undeclared column(s) ${extra.join(', ')}` : ''}${extra.length && missing.length ? ' and ' : ''}${missing.length ? `lacks ${missing.join(', ')}` : ''}`,
    );
}

export interface TableEntry {
  name: string;
  file: string;
  parquet: string;
  title: string;
  rows: number;
  columns: TableDecl['columns'];
}

/** Writes `tables/<name>.arrow` and `tables/<name>.parquet`. */
export function writeTable(dir: string, decl: TableDecl, rows: TableRow[]): TableEntry {
  const t = makeTable(decl, rows);
  const file = `tables/${decl.name}.arrow`;
  const parquet = `tables/${decl.name}.parquet`;
  writeArrowFile(join(dir, file), t);
  writeParquetFile(join(dir, parquet), t);
  return { name: decl.name, file, parquet, title: decl.title, rows: t.numRows, columns: decl.columns };
}
