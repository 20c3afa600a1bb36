import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { renamedKeys, type DatasetSplit, type ImageLayout } from '@imp/artifacts';
import { snakeCaseRenames } from '../define.ts';
import { decodeImage, LUMA_BT601, toPlanes, type DecodedImage } from './decode.ts';
import { scanPhotoFolder, type PhotoClass } from './folder.ts';
import { samplePatches, STD_FLOOR, trainRows, type PhotoPlanes } from './patches.ts';
import { PhotoSourceError } from './errors.ts';
import { DEFAULT_PHOTOS, locateSkimagePhotos, packagePhotoFile, type LocateOptions } from './skimage.ts';

/**
 * Config of the `photos` source (natural-patch task, see README.md beside this file).
 * camelCase like every stage config (the manifests' summaries stay snake_case).
 */
export const photoOptions = {
  photos: z
    .array(z.string().min(1))
    .min(2)
    .default([...DEFAULT_PHOTOS])
    .describe(
      'photographs of Debian python3-skimage (skimage/data), one class each, by name without extension; ignored when `folder` is set',
    ),
  folder: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      'your own photographs: a folder of PNG/JPEG files (one class per file) or of subfolders of them (one class per subfolder)',
    ),
  patch: z.number().int().min(2).max(256).default(28).describe('crop side L (crops are L×L)'),
  color: z
    .enum(['gray', 'rgb'])
    .default('gray')
    .describe("'gray' = ITU-R BT.601 luminance 0.299R+0.587G+0.114B (1 channel); 'rgb' = 3 channels, chw"),
  trainPerClass: z.number().int().min(1).default(6000).describe('training crops per class'),
  valPerClass: z.number().int().min(1).default(1000).describe('validation crops per class'),
  valFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.25)
    .describe(
      "fraction of each photo's rows, at the bottom, that only validation crops come from (train crops come from the rows above: no shared pixel)",
    ),
  standardize: z
    .boolean()
    .default(true)
    .describe(
      'per-crop standardisation: zero mean and unit variance over the crop (std floored at one grey level, 1/255)',
    ),
};

/** The options alone (the registered source adds `name: 'photos'`). */
export const photoSourceConfig = z
  .object(photoOptions, { error: renamedKeys(snakeCaseRenames(Object.keys(photoOptions))) })
  .strict();

export type PhotoSourceConfig = z.output<typeof photoSourceConfig>;

export interface PhotoRecord {
  class: string;
  file: string;
  sha256: string;
  width: number;
  height: number;
  format: string;
  bit_depth: number;
  color_type: string;
  /** Rows [0, train_rows) give train crops, the rest val crops. */
  train_rows: number;
}

export interface PhotoDataset {
  train: DatasetSplit & { x: Float32Array };
  val: DatasetSplit & { x: Float32Array };
  classNames: string[];
  /** Also stored in each split's meta under `photos`. */
  meta: Record<string, unknown>;
  /** For the manifest summary. */
  summary: Record<string, unknown>;
  /** Crop origins per split (n × [photo-in-class, top, left]); for audits and tests, not written. */
  origins: { train: Int32Array; val: Int32Array };
}

export type BuildOptions = LocateOptions;

interface Loaded {
  cls: PhotoClass;
  images: DecodedImage[];
  sha: string[];
}

/** Loads the photographs named by the config: a user folder, or the Debian package's. */
function loadClasses(
  cfg: PhotoSourceConfig,
  opts: BuildOptions,
): { loaded: Loaded[]; origin: Record<string, unknown> } {
  let classes: PhotoClass[];
  let origin: Record<string, unknown>;
  if (cfg.folder) {
    classes = scanPhotoFolder(cfg.folder);
    // Only the folder's base name: artifacts must not depend on where a checkout lives.
    origin = { kind: 'folder', folder: basename(cfg.folder) };
  } else {
    const pkg = locateSkimagePhotos(opts);
    const seen = new Set<string>();
    classes = cfg.photos.map((name) => {
      if (seen.has(name)) throw new PhotoSourceError(`photos: '${name}' is listed twice in photos`);
      seen.add(name);
      const f = packagePhotoFile(pkg.dir, name);
      return { name, files: [f], labels: [basename(f)] };
    });
    origin = { kind: 'debian-package', package: pkg.package, version: pkg.version, via: pkg.origin };
  }
  const loaded = classes.map((cls) => {
    const bufs = cls.files.map((f) => readFileSync(f));
    return {
      cls,
      images: bufs.map((b, i) => decodeImage(cls.files[i]!, b)),
      sha: bufs.map((b) => createHash('sha256').update(b).digest('hex')),
    };
  });
  return { loaded, origin };
}

/**
 * Builds the natural-patch dataset: decode, convert (gray/RGB), sample disjoint
 * train/val crops, standardise. Deterministic in (config, seed, photo bytes).
 */
export function buildPhotoDataset(cfg: PhotoSourceConfig, seed: number, opts: BuildOptions = {}): PhotoDataset {
  const { loaded, origin } = loadClasses(cfg, opts);
  const planes: PhotoPlanes[][] = loaded.map((l) =>
    l.images.map((im) => ({
      channels: cfg.color === 'gray' ? 1 : 3,
      height: im.height,
      width: im.width,
      data: toPlanes(im, cfg.color),
    })),
  );
  const names = loaded.map((l) => l.cls.labels);
  const { train, val } = samplePatches(planes, names, {
    size: cfg.patch,
    trainPerClass: cfg.trainPerClass,
    valPerClass: cfg.valPerClass,
    valFraction: cfg.valFraction,
    standardize: cfg.standardize,
    seed,
  });
  const classNames = loaded.map((l) => l.cls.name);
  const photos: PhotoRecord[] = loaded.flatMap((l) =>
    l.images.map((im, i) => ({
      class: l.cls.name,
      file: l.cls.labels[i]!,
      sha256: l.sha[i]!,
      width: im.width,
      height: im.height,
      format: im.format,
      bit_depth: im.bitDepth,
      color_type: im.colorType,
      train_rows: trainRows(im.height, cfg.valFraction),
    })),
  );
  const layout: ImageLayout = {
    channels: cfg.color === 'gray' ? 1 : 3,
    height: cfg.patch,
    width: cfg.patch,
    order: 'chw',
  };
  const photoMeta = {
    source: 'photos',
    origin,
    photos,
    color: cfg.color,
    luminance: cfg.color === 'gray' ? { standard: 'ITU-R BT.601', weights_rgb: [...LUMA_BT601] } : null,
    intensity: 'samples / (2^bit_depth - 1), in [0, 1], before standardisation; alpha ignored',
    patch: cfg.patch,
    split_rule: {
      val_fraction: cfg.valFraction,
      rule: 'train crops lie in rows [0, train_rows) and val crops in rows [train_rows, height) of each photo; train_rows = floor(height*(1-val_fraction))',
    },
    positions: 'uniform over all valid top-left corners of the split band (over all photos of a class), seeded',
    standardize: cfg.standardize
      ? { per_crop: true, std_floor: STD_FLOOR, floored_crops: { train: train.floored, val: val.floored } }
      : false,
    dtype: 'float32',
  };
  const meta = { class_names: classNames, photos: photoMeta };
  return {
    train: { split: 'train', layout, x: train.x, y: train.y, meta },
    val: { split: 'val', layout, x: val.x, y: val.y, meta },
    classNames,
    meta,
    summary: {
      num_classes: classNames.length,
      n_train: train.y.length,
      n_val: val.y.length,
      layout,
      photos_origin: origin,
      photos_sha256: Object.fromEntries(photos.map((p) => [`${p.class}/${p.file}`, p.sha256])),
      standardize: cfg.standardize,
    },
    origins: { train: train.origins, val: val.origins },
  };
}
