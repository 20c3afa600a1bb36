/**
 * The contract of one analysis measure (spec §4). A measure is one file in measures/
 * that declares what it adds to the artifact — per-level scalars (columns of the
 * `levels` table and of the summary's `levels[]`), tables with typed, described
 * columns, and figures — and computes them level by level and/or once per experiment.
 * analyze.ts runs the registry (measures/index.ts) and writes everything; the manifest
 * summary lists every table (with its columns) and every figure, so the report renders
 * a new measure with no change of its own.
 */
import type { ExperimentContext, LevelContext } from './context.ts';
import type { Spec } from './charts/theme.ts';

export type ColumnType = 'int' | 'float' | 'str' | 'floatList';

export interface ColumnDecl {
  name: string;
  type: ColumnType;
  description: string;
  /** Display hint for pages: a fraction shown as a percentage. */
  format?: 'percent';
}

export interface TableDecl {
  name: string;
  title: string;
  columns: ColumnDecl[];
}

export interface FigureDecl {
  /** Stable id across experiments (comparison pages match figures by it). */
  id: string;
  /** Which levels get one: none (once per experiment), or a level set. */
  levels: 'once' | 'every' | 'detail' | 'ablation' | 'evolution';
  description: string;
}

export interface Figure {
  id: string;
  /** Path inside the artifact without extension, e.g. `figures/smaps_L3`. */
  file: string;
  title: string;
  caption: string;
  level?: number;
  /** Vega-Lite spec: written as `<file>.vl.json`, rendered to `<file>.svg` unless a PNG is given. */
  spec?: Spec;
  /** A raster (mask grids, pixel maps): written as `<file>.png`. */
  png?: Buffer;
}

export type TableRow = Record<string, number | string | null | ArrayLike<number>>;

export interface Output {
  rows(table: string, ...rows: TableRow[]): void;
  figure(f: Figure): void;
  /** Wall time of a phase, summed into the manifest's timings as `<name>_s`. */
  time<T>(name: string, f: () => T): T;
}

export interface LevelOutput extends Output {
  /** One of this measure's declared `scalars` for the current level (null = not available). */
  scalar(name: string, value: number | null): void;
}

export type LevelRow = Record<string, number | null> & { level: number };

export interface MeasureRun {
  level?(lv: LevelContext, out: LevelOutput): void | Promise<void>;
  /** After every level: cross-level figures from the per-level scalars. */
  finish?(levels: LevelRow[], out: Output): void;
  /** Extra summary fields (e.g. which levels were ablated). */
  summary?(): Record<string, unknown>;
}

export interface Measure {
  name: string;
  /** Spec section and one line on what it measures. */
  description: string;
  scalars?: ColumnDecl[];
  tables?: TableDecl[];
  figures?: FigureDecl[];
  start(x: ExperimentContext): MeasureRun;
}

/** Summary scalars: non-finite values become null; 12 significant digits keep JSON short and stable. */
export const num = (v: number): number | null => (Number.isFinite(v) ? Number(v.toPrecision(12)) : null);

/** u as a percentage for labels: 100, 36, 4.7, 0.97 */
export const pct = (u: number) => {
  const v = 100 * u;
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
};
