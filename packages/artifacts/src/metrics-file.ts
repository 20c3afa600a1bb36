import { Field, Float64, Int32, Schema, Table, Utf8, vectorFromArray, makeTable } from 'apache-arrow';
import { ArtifactError } from './errors.ts';
import { readArrowFile, writeArrowFile } from './arrow-io.ts';

/** One observation in the long-format metrics table (open_lth's `logger`, as Arrow). */
export interface MetricRow {
  level: number;
  step: number;
  split: string;
  metric: string;
  value: number;
}

export const metricsSchema = new Schema([
  new Field('level', new Int32(), false),
  new Field('step', new Int32(), false),
  new Field('split', new Utf8(), false),
  new Field('metric', new Utf8(), false),
  new Field('value', new Float64(), false),
]);

export function metricsTable(rows: MetricRow[]): Table {
  return makeTable({
    level: Int32Array.from(rows, (r) => r.level),
    step: Int32Array.from(rows, (r) => r.step),
    value: Float64Array.from(rows, (r) => r.value),
  }).assign(
    new Table({
      split: vectorFromArray(rows.map((r) => r.split), new Utf8()),
      metric: vectorFromArray(rows.map((r) => r.metric), new Utf8()),
    }),
  ).select(['level', 'step', 'split', 'metric', 'value']);
}

export function writeMetricsFile(path: string, rows: MetricRow[]): void {
  writeArrowFile(path, metricsTable(rows));
}

export function readMetricsFile(path: string): MetricRow[] {
  const t = readArrowFile(path);
  for (const f of metricsSchema.fields)
    if (!t.getChild(f.name)) throw new ArtifactError(`${path}: missing metrics column '${f.name}'`, 'bad-table', path);
  const cols = metricsSchema.fields.map((f) => t.getChild(f.name)!.toArray());
  const [level, step, split, metric, value] = cols as [Int32Array, Int32Array, string[], string[], Float64Array];
  return Array.from({ length: t.numRows }, (_, i) => ({
    level: level[i]!, step: step[i]!, split: String(split[i]), metric: String(metric[i]), value: value[i]!,
  }));
}
