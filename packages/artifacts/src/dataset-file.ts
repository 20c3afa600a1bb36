import { Dictionary, Field, FixedSizeList, Float32, Int32, Int8, RecordBatch, Schema, Struct, Table, Uint8, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { ArtifactError } from './errors.ts';
import { readArrowFile, writeArrowFile } from './arrow-io.ts';

/**
 * Pixel layout of every dataset: images are flattened channel-major ("chw"),
 * index = c*H*W + y*W + x, as ImageNet32's pickles and the authors' code use (spec §4).
 */
export interface ImageLayout {
  channels: number;
  height: number;
  width: number;
  order: 'chw';
}

export interface DatasetSplit {
  split: 'train' | 'val';
  layout: ImageLayout;
  /** n × D pixels, D = channels*height*width; uint8 raw pixels or float32 values. */
  x: Uint8Array | Float32Array;
  y: Int32Array;
  /** Free-form JSON-able facts (class names, normalisation, transforms...). */
  meta?: Record<string, unknown>;
}

/** Arrow schema of a dataset split file. */
export function datasetSchema(dim: number, pixel: 'uint8' | 'float32'): Schema {
  return new Schema([
    new Field('x', new FixedSizeList(dim, new Field('pixel', pixel === 'uint8' ? new Uint8() : new Float32(), false)), false),
    new Field('y', new Int32(), false),
    new Field('split', new Dictionary(new Utf8(), new Int8(), 0), false),
  ]);
}

export function writeDatasetSplit(path: string, s: DatasetSplit): void {
  const dim = s.layout.channels * s.layout.height * s.layout.width;
  const n = s.y.length;
  if (s.x.length !== n * dim) throw new ArtifactError(`dataset split '${s.split}': ${s.x.length} pixels for ${n} images of ${dim}`, 'bad-input');
  const pixel = s.x instanceof Uint8Array ? 'uint8' : 'float32';
  const base = datasetSchema(dim, pixel);
  const schema = new Schema(base.fields, new Map([
    ['split', s.split],
    ['layout', JSON.stringify(s.layout)],
    ['pixel_dtype', pixel],
    ['meta', JSON.stringify(s.meta ?? {})],
  ]));
  const pixType = pixel === 'uint8' ? new Uint8() : new Float32();
  const child = makeData({ type: pixType, length: s.x.length, data: s.x } as never);
  const xData = makeData({ type: base.fields[0]!.type as FixedSizeList, length: n, child });
  const yData = makeData({ type: new Int32(), length: n, data: s.y });
  const dictType = base.fields[2]!.type as Dictionary;
  const dictionary = vectorFromArray(['train', 'val'], new Utf8());
  const splitData = makeData({ type: dictType, length: n, data: new Int8Array(n).fill(s.split === 'train' ? 0 : 1), dictionary });
  const struct = makeData({ type: new Struct(schema.fields), length: n, children: [xData, yData, splitData] });
  writeArrowFile(path, new Table(schema, new RecordBatch(schema, struct)));
}

/**
 * Reads a split; `x` is a zero-copy view on the file buffer, treat it as read-only. `bytes`: the
 * file's contents when the caller has them already (train maps the file instead of reading it).
 */
export function readDatasetSplit(path: string, bytes?: Uint8Array): Required<DatasetSplit> {
  const t = readArrowFile(path, bytes);
  const md = Object.fromEntries(t.schema.metadata);
  if (!md.layout || !md.split) throw new ArtifactError(`${path}: not a dataset split (no layout/split metadata)`, 'bad-table', path);
  const xv = t.getChild('x');
  const yv = t.getChild('y');
  if (!xv || !yv) throw new ArtifactError(`${path}: missing column 'x' or 'y'`, 'bad-table', path);
  const layout = JSON.parse(md.layout) as ImageLayout;
  const n = t.numRows;
  const dim = layout.channels * layout.height * layout.width;
  type Typed = Uint8Array | Float32Array | Int32Array;
  const join = <T extends Typed>(parts: T[], Ctor: { new (n: number): T }, len: number): T => {
    if (parts.length === 1) return parts[0]!;
    const out = new Ctor(len);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const xParts = xv.data.map((d) => d.children[0]!.values.subarray(d.offset * dim, (d.offset + d.length) * dim));
  const Px = md.pixel_dtype === 'float32' ? Float32Array : Uint8Array;
  const x = join(xParts as (Uint8Array | Float32Array)[], Px as never, n * dim);
  const y = join(yv.data.map((d) => (d.values as Int32Array).subarray(d.offset, d.offset + d.length)), Int32Array, n);
  if (x.length !== n * dim) throw new ArtifactError(`${path}: ${x.length} pixels for ${n} images of ${dim}`, 'bad-table', path);
  return { split: md.split as 'train' | 'val', layout, x, y, meta: JSON.parse(md.meta ?? '{}') };
}
