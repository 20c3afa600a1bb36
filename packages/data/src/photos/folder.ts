import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PhotoSourceError } from './errors.ts';

/** One class of the patch task: a name and its photographs. */
export interface PhotoClass {
  name: string;
  /** Absolute paths. */
  files: string[];
  /**
   * Paths as recorded in the artifact: relative to the folder (never absolute, so
   * artifacts do not depend on where a checkout lives).
   */
  labels: string[];
}

export const IMAGE_EXT = /\.(png|jpe?g)$/i;

const visible = (e: string) => !e.startsWith('.');

function imagesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((e) => visible(e) && IMAGE_EXT.test(e) && statSync(join(dir, e)).isFile())
    .sort();
}

/**
 * A user folder of photographs becomes classes: either one class per image file
 * at its top level (class name = file name without extension), or, when the top
 * level holds no images, one class per subfolder (class name = subfolder name,
 * all PNG/JPEG files directly inside it). Sorted by name, so class indices do not
 * depend on the file system's listing order.
 */
export function scanPhotoFolder(folder: string): PhotoClass[] {
  if (!existsSync(folder)) throw new PhotoSourceError(`photos: folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new PhotoSourceError(`photos: ${folder} is not a folder`);
  const top = imagesIn(folder);
  const subdirs = readdirSync(folder)
    .filter((e) => visible(e) && statSync(join(folder, e)).isDirectory())
    .sort();
  let classes: PhotoClass[];
  if (top.length > 0) {
    const mixed = subdirs.filter((d) => imagesIn(join(folder, d)).length > 0);
    if (mixed.length > 0)
      throw new PhotoSourceError(
        `photos: folder ${folder} mixes images at its top level with image subfolders (${mixed.join(', ')}); use one class per file or one class per subfolder`,
      );
    classes = top.map((f) => ({ name: f.replace(IMAGE_EXT, ''), files: [join(folder, f)], labels: [f] }));
    const names = new Set<string>();
    for (const c of classes) {
      if (names.has(c.name))
        throw new PhotoSourceError(
          `photos: folder ${folder} has two images named '${c.name}' (class names must be unique)`,
        );
      names.add(c.name);
    }
  } else {
    if (subdirs.length === 0)
      throw new PhotoSourceError(
        `photos: folder ${folder} is empty: it holds no PNG or JPEG images and no subfolders of them`,
      );
    classes = subdirs.map((d) => {
      const files = imagesIn(join(folder, d));
      if (files.length === 0)
        throw new PhotoSourceError(`photos: subfolder ${join(folder, d)} is empty: it holds no PNG or JPEG images`);
      return {
        name: d,
        files: files.map((f) => join(folder, d, f)),
        labels: files.map((f) => relative(folder, join(folder, d, f))),
      };
    });
  }
  if (classes.length < 2)
    throw new PhotoSourceError(`photos: folder ${folder} gives ${classes.length} class; the task needs at least 2`);
  return classes;
}
