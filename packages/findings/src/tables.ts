/** Result tables: Arrow IPC (the store's format) plus a Parquet copy for pandas/DuckDB users. */
import { join } from 'node:path';
import { Table, Utf8, makeVector, vectorFromArray, type Vector } from 'apache-arrow';
import { mkdirSync } from 'node:fs';
import { writeArrowFile, writeParquetFile } from '@imp/artifacts';

export interface ColumnDecl {
  name: string;
  type: 'int' | 'float' | 'str';
  description: string;
  format?: 'percent';
}

export interface TableDecl {
  name: string;
  title: string;
  columns: ColumnDecl[];
}

export type Row = Record<string, number | string | null>;

/** Columns in declared order and type; a missing float is NaN (Arrow readers show it as such). */
export function makeTable(decl: TableDecl, rows: Row[]): Table {
  const vecs: Record<string, Vector> = {};
  for (const c of decl.columns) {
    const vals = rows.map((r) => {
      if (!(c.name in r)) throw new Error(`table '${decl.name}': a row lacks column '${c.name}'`);
      return r[c.name];
    });
    if (c.type === 'int') vecs[c.name] = makeVector(Int32Array.from(vals, (v) => Number(v)));
    else if (c.type === 'float')
      vecs[c.name] = makeVector(Float64Array.from(vals, (v) => (v === null || v === undefined ? NaN : Number(v))));
    else vecs[c.name] = vectorFromArray(vals.map(String), new Utf8());
  }
  return new Table(vecs);
}

/** What the manifest summary says of a table (the report renders tables from this). */
export interface TableEntry {
  name: string;
  file: string;
  parquet: string;
  title: string;
  rows: number;
  columns: ColumnDecl[];
}

/** Writes `tables/<name>.arrow` and `tables/<name>.parquet`. */
export function writeTable(dir: string, decl: TableDecl, rows: Row[]): TableEntry {
  const t = makeTable(decl, rows);
  mkdirSync(join(dir, 'tables'), { recursive: true });
  const file = `tables/${decl.name}.arrow`;
  const parquet = `tables/${decl.name}.parquet`;
  writeArrowFile(join(dir, file), t);
  writeParquetFile(join(dir, parquet), t);
  return { name: decl.name, file, parquet, title: decl.title, rows: t.numRows, columns: decl.columns };
}

/** Rows of an Arrow table as plain objects (numbers, strings; NaN stays NaN). */
export function tableRows(t: Table): Row[] {
  const names = t.schema.fields.map((f) => f.name);
  const cols = names.map((n) => t.getChild(n)!);
  const out: Row[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const r: Row = {};
    names.forEach((n, j) => {
      const v = cols[j]!.get(i) as unknown;
      r[n] = typeof v === 'bigint' ? Number(v) : (v as number | string | null);
    });
    out.push(r);
  }
  return out;
}
