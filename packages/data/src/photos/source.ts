import { defineSource } from '../define.ts';
import type { LoadedDataset } from '../types.ts';
import { buildPhotoDataset, photoOptions } from './photo-source.ts';

/**
 * The `photos` data source (natural-patch task, README.md beside this file): class =
 * photograph, input = a crop of it, train and val crops from disjoint rows.
 */
export const photosSource = defineSource({
  name: 'photos',
  description:
    'natural-image patches: one class per photograph (default: 10 sample photographs of Debian python3-skimage; or a folder of your PNG/JPEG), ' +
    'L×L crops (gray BT.601 or RGB), train crops from the top rows and val crops from the bottom rows of each photo, per-crop standardised float32',
  options: photoOptions,
  // The default skimage photographs are identified by their names; the loader records their sha256.
  contentInputs: (cfg) => ({ folder: cfg.folder ? { path: cfg.folder } : null }),
  async load(cfg, ctx): Promise<LoadedDataset> {
    const { name: _name, ...opts } = cfg;
    const d = buildPhotoDataset(opts, ctx.seed, { log: ctx.log });
    return {
      train: { x: d.train.x, y: d.train.y },
      val: { x: d.val.x, y: d.val.y },
      layout: d.train.layout,
      class_names: d.classNames,
      num_classes: d.classNames.length,
      provenance: d.meta.photos as Record<string, unknown>,
      // Values are floats on a unit scale already (standardised, or intensities in [0, 1]).
      pixel_range: 1,
    };
  },
});
