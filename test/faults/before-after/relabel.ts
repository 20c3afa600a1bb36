// Shared by the relabel probes (issue 16 §7): a toy dataset and a relabel by mapping file,
// through the transform's schema and apply(), which exist before and after the change.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@imp/artifacts';
import { relabelTransform } from '@imp/data/transforms/relabel';
import type { LoadedDataset } from '@imp/data/types';

/** Four 2×2 images, labels 0..3 of 4 classes. */
function four(): LoadedDataset {
  const x = Uint8Array.from({ length: 16 }, (_, i) => i);
  return {
    train: { x, y: Int32Array.from([0, 1, 2, 3]) },
    val: { x: x.slice(0, 8), y: Int32Array.from([0, 1]) },
    layout: { channels: 1, height: 2, width: 2, order: 'chw' },
    class_names: ['0', '1', '2', '3'],
    num_classes: 4,
    provenance: {},
    pixel_range: 255,
  };
}

/** Applies `relabel by file` with a mapping file holding `text` to the four-class toy dataset. */
export function relabelByFile(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'imp-relabel-')), 'map.dat');
  writeFileSync(file, text);
  const c = relabelTransform.schema.parse({ name: 'relabel', by: 'file', file }) as never;
  return { file, apply: () => relabelTransform.apply(four(), c, { rng: new Rng(0, 100), seed: 0, log: () => {} }) };
}
