import { Field, Float32, Int32, List, Schema, Table, Uint8, Utf8, makeData, RecordBatch, Struct, vectorFromArray, Vector } from 'apache-arrow';
import { ArtifactError } from './errors.ts';
import { readArrowFile, writeArrowFile } from './arrow-io.ts';

/** A named dense tensor, row-major. Parameters are float32; masks are uint8 0/1. */
export interface NamedTensor<T extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  name: string;
  shape: number[];
  data: T;
}

export type TensorDtype = 'float32' | 'uint8';

/** Arrow schema of parameters and mask files: one row per tensor. */
export function tensorSchema(dtype: TensorDtype): Schema {
  const value = dtype === 'float32' ? new Float32() : new Uint8();
  return new Schema([
    new Field('name', new Utf8(), false),
    new Field('shape', new List(new Field('item', new Int32(), false)), false),
    new Field('values', new List(new Field('item', value, false)), false),
  ]);
}

function listOf<T extends Float32Array | Uint8Array | Int32Array>(
  item: Float32 | Uint8 | Int32,
  arrays: T[],
  Ctor: { new (n: number): T },
) {
  const offsets = new Int32Array(arrays.length + 1);
  arrays.forEach((a, i) => (offsets[i + 1] = offsets[i]! + a.length));
  const flat = new Ctor(offsets[arrays.length]!);
  arrays.forEach((a, i) => flat.set(a, offsets[i]!));
  const child = makeData({ type: item, length: flat.length, data: flat } as never);
  return makeData({ type: new List(new Field("item", item, false)), length: arrays.length, valueOffsets: offsets, child } as never) as never;
}

/** Writes tensors of one dtype to an Arrow IPC file; float32 values round-trip bit-identically. */
export function writeTensorFile(
  path: string,
  tensors: NamedTensor[],
  dtype: TensorDtype,
  metadata: Record<string, string> = {},
): void {
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new ArtifactError(`tensor '${t.name}': shape [${t.shape}] holds ${n} values, data has ${t.data.length}`, 'bad-input');
    const want = dtype === 'float32' ? Float32Array : Uint8Array;
    if (!(t.data instanceof want)) throw new ArtifactError(`tensor '${t.name}': expected ${dtype} data`, 'bad-input');
  }
  const schema = tensorSchema(dtype);
  const meta = new Map(Object.entries({ ...metadata, dtype }));
  const names = vectorFromArray(tensors.map((t) => t.name), new Utf8());
  const shapes = listOf(new Int32(), tensors.map((t) => Int32Array.from(t.shape)), Int32Array);
  const values =
    dtype === 'float32'
      ? listOf(new Float32(), tensors.map((t) => t.data as Float32Array), Float32Array)
      : listOf(new Uint8(), tensors.map((t) => t.data as Uint8Array), Uint8Array);
  const struct = makeData({
    type: new Struct(schema.fields),
    length: tensors.length,
    children: [names.data[0]!, shapes, values],
  });
  const table = new Table(new Schema(schema.fields, meta), new RecordBatch(new Schema(schema.fields, meta), struct));
  writeArrowFile(path, table);
}

/** Reads a tensor file written by writeTensorFile, checking its layout. */
export interface TensorFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

export function readTensorFile(path: string, dtype: TensorDtype): TensorFile {
  const table = readArrowFile(path);
  for (const col of ['name', 'shape', 'values'])
    if (!table.getChild(col)) throw new ArtifactError(`${path}: missing column '${col}'`, 'bad-table', path);
  const metadata = Object.fromEntries(table.schema.metadata);
  if (metadata.dtype !== dtype) throw new ArtifactError(`${path}: holds ${metadata.dtype} tensors, expected ${dtype}`, 'bad-table', path);
  const names = table.getChild('name') as Vector;
  const shapes = table.getChild('shape') as Vector;
  const values = table.getChild('values') as Vector;
  const tensors: NamedTensor[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const shape = Array.from(shapes.get(i) as Iterable<number>);
    const v = values.get(i) as Vector;
    // Copy out of the file buffer: callers own and may mutate their tensors.
    const data = dtype === 'float32' ? Float32Array.from(v.toArray() as Float32Array) : Uint8Array.from(v.toArray() as Uint8Array);
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new ArtifactError(`${path}: tensor '${names.get(i)}' shape [${shape}] does not match ${data.length} values`, 'bad-table', path);
    tensors.push({ name: String(names.get(i)), shape, data });
  }
  return { tensors, metadata };
}
