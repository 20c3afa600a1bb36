import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineTransform } from '../define.ts';
import type { LoadedDataset } from '../types.ts';
import { DataFormatError } from '../types.ts';
import { FASHION_MNIST_CLASSES } from '../sources/fashion-mnist.ts';

/**
 * A semantically meaningful 4-way grouping of Fashion-MNIST (by what the garment is for),
 * our analogue of the paper's meaningful ImageNet super-classes (spec §2.2); its control is
 * `by: 'modulo', k: 4`, like the paper's `reclass = m,10`.
 */
export const FASHION_MEANINGFUL_NAMES = ['tops', 'bottoms and dresses', 'footwear', 'bags'];
// T-shirt, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot
export const FASHION_MEANINGFUL_MAP = [0, 1, 0, 1, 0, 2, 0, 2, 3, 2];

/** Parses a mapping file: integers separated by commas and/or whitespace; entry i = new label of old label i. */
export function parseLabelMap(text: string, file: string): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p.length > 0);
  return parts.map((p, i) => {
    if (!/^\d+$/.test(p))
      throw new DataFormatError(
        `${file}: entry ${i} ('${p}') is not a non-negative integer; expected comma-separated new labels, entry i for old label i`,
        'bad-format',
        file,
      );
    return Number(p);
  });
}

/**
 * A label map must give one new label per old class, each below the old class count (checked
 * before anything is sized by it: a stray 99999999 must not allocate), and, unless allowed,
 * use every new label 0..k-1 (a gap is an empty class). `where` names the file or option.
 */
export function checkLabelMap(
  map: number[],
  numClasses: number,
  allowEmpty: boolean,
  where: string,
  file?: string,
): void {
  if (map.length !== numClasses)
    throw new DataFormatError(
      `${where}: ${map.length} entries for ${numClasses} classes (expected one new label per old label, in label order)`,
      'bad-format',
      file,
    );
  const bad = map.findIndex((v) => v >= map.length);
  if (bad >= 0)
    throw new DataFormatError(
      `${where}: entry ${bad} maps old label ${bad} to ${map[bad]}, but ${map.length} old classes allow new labels 0..${map.length - 1} only`,
      'bad-value',
      file,
    );
  if (allowEmpty) return;
  const k = Math.max(...map) + 1;
  const unused = Array.from({ length: k }, (_, i) => i).filter((i) => !map.includes(i));
  if (unused.length)
    throw new DataFormatError(
      `${where}: new label(s) ${unused.join(', ')} of 0..${k - 1} are never used (a gap gives an empty class; set allowEmptyClasses: true to allow it)`,
      'bad-value',
      file,
    );
}

export function applyLabelMap(ds: LoadedDataset, map: number[], classNames: string[]): LoadedDataset {
  const remap = (y: Int32Array) => Int32Array.from(y, (v) => map[v]!);
  return {
    ...ds,
    train: { ...ds.train, y: remap(ds.train.y) },
    val: { ...ds.val, y: remap(ds.val.y) },
    class_names: classNames,
    num_classes: classNames.length,
  };
}

/** Relabelling (spec §2.2: `reclass = f,10,classes.dat` and `reclass = m,10`), applied to both splits. */
export const relabelTransform = defineTransform({
  name: 'relabel',
  description:
    "map every label to a new class: from a file ('file'), an inline list ('map'), by label modulo k ('modulo'), or the built-in meaningful Fashion-MNIST grouping ('fashion-mnist-meaningful')",
  options: {
    by: z
      .enum(['file', 'map', 'modulo', 'fashion-mnist-meaningful'])
      .describe(
        "'file': new label of old label i = entry i of `file`; 'map': entry i of the inline `map`; 'modulo': label mod k; 'fashion-mnist-meaningful': tops / bottoms and dresses / footwear / bags",
      ),
    // Optional without a default, so configs that do not use it keep their parsed form (and artifact ids).
    map: z
      .array(z.number().int().nonnegative())
      .optional()
      .describe(
        "by='map': new label of old label i = entry i (one entry per old class); the config holds the whole grouping, no file needed",
      ),
    file: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "by='file': comma/whitespace-separated new labels, one per old label in label order (e.g. imagenet32_10_meaningful_superclasses_classes.dat)",
      ),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable()
      .default(null)
      .describe(
        "by='file': expected sha256 of the file (the artifact id depends on the config, not the file's bytes; pin them here)",
      ),
    k: z.number().int().positive().nullable().default(null).describe("by='modulo': the number of new classes"),
    classNames: z.array(z.string()).nullable().default(null).describe('names of the new classes (default: generated)'),
    allowEmptyClasses: z
      .boolean()
      .default(false)
      .describe(
        'allow a new class with no training image (a gap in the new labels, e.g. {0,1,3}, or an old class absent from the data); an error by default',
      ),
  },
  refine(c, ctx) {
    if (c.by === 'file' && !c.file)
      ctx.addIssue({ code: 'custom', path: ['file'], message: "by='file' needs a mapping file" });
    if (c.by === 'modulo' && !c.k) ctx.addIssue({ code: 'custom', path: ['k'], message: "by='modulo' needs k" });
    if (c.by === 'map' && !c.map?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['map'],
        message: "by='map' needs a non-empty map (entry i = new label of old label i)",
      });
    if (c.by !== 'map' && c.map !== undefined)
      ctx.addIssue({ code: 'custom', path: ['map'], message: "map is only read with by='map'" });
  },
  contentInputs: (c) => ({ file: c.by === 'file' && c.file ? { path: c.file } : null }),
  apply(ds, c) {
    let map: number[];
    let names: string[];
    const record: Record<string, unknown> = {};
    if (c.by === 'modulo') {
      const k = c.k!;
      map = Array.from({ length: ds.num_classes }, (_, i) => i % k);
      names = Array.from({ length: Math.min(k, ds.num_classes) }, (_, r) => `label mod ${k} = ${r}`);
    } else if (c.by === 'fashion-mnist-meaningful') {
      if (ds.num_classes !== 10 || ds.class_names.some((n, i) => n !== FASHION_MNIST_CLASSES[i]))
        throw new DataFormatError(
          `relabel 'fashion-mnist-meaningful' needs the 10 Fashion-MNIST classes, got [${ds.class_names.slice(0, 10).join(', ')}${ds.num_classes > 10 ? ', ...' : ''}]`,
          'bad-value',
        );
      map = FASHION_MEANINGFUL_MAP;
      names = FASHION_MEANINGFUL_NAMES;
    } else if (c.by === 'map') {
      map = c.map!;
      checkLabelMap(map, ds.num_classes, c.allowEmptyClasses, "relabel: field 'map'");
      names = Array.from({ length: Math.max(...map) + 1 }, (_, i) => `group ${i}`);
    } else {
      const file = c.file!;
      if (!existsSync(file))
        throw new DataFormatError(
          `${file}: label-map file not found (expected ${ds.num_classes} comma-separated new labels, entry i for old label i)`,
          'missing-file',
          file,
        );
      const bytes = readFileSync(file);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (c.sha256 && c.sha256 !== sha)
        throw new DataFormatError(`${file}: sha256 ${sha} differs from the configured ${c.sha256}`, 'bad-value', file);
      map = parseLabelMap(bytes.toString('utf8'), file);
      checkLabelMap(map, ds.num_classes, c.allowEmptyClasses, file, file);
      Object.assign(record, { file_sha256: sha });
      names = Array.from({ length: Math.max(...map) + 1 }, (_, i) => `group ${i}`);
    }
    if (c.classNames) {
      const k = Math.max(...map) + 1;
      if (c.classNames.length !== k)
        throw new DataFormatError(
          `relabel: classNames has ${c.classNames.length} names for ${k} new classes`,
          'bad-value',
        );
      names = c.classNames;
    }
    const sizes = new Array<number>(names.length).fill(0);
    map.forEach((v) => sizes[v]!++);
    record.map = map;
    record.old_classes_per_new_class = sizes;
    const out = applyLabelMap(ds, map, names);
    if (!c.allowEmptyClasses) {
      const counts = new Array<number>(names.length).fill(0);
      for (const v of out.train.y) counts[v]!++;
      const empty = counts.flatMap((n, i) => (n === 0 ? [`${i} (${names[i]})`] : []));
      if (empty.length)
        throw new DataFormatError(
          `relabel${c.file ? ` ${c.file}` : ''}: new class(es) ${empty.join(', ')} have no training image (set allowEmptyClasses: true to allow it)`,
          'bad-value',
          c.file ?? undefined,
        );
    }
    return { dataset: out, record };
  },
});
