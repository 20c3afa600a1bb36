import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { storeRoot } from './store.ts';

/**
 * Content hashes of external inputs (a user's photo folder, a relabel mapping file, dataset
 * files given by path). Their bytes must enter the artifact id, else replacing a photo would
 * reuse the old dataset. Hashing happens when a config is resolved (plan time and run time), so
 * it is cached per file by its stat stamp (path, size, mtime, ctime, inode): a file is read
 * again only after it changed. Any write changes the ctime, even one that restores the mtime.
 *
 * The cache is `<store>/.cache/content-hashes.json` (written to a temp file, then renamed), of
 * the store given to `useContentHashStore`, else `$IMP_STORE` or the default store.
 */
interface Stamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: string;
}

let explicitStore: string | undefined;
const caches = new Map<string, { entries: Record<string, Stamp>; dirty: boolean }>();

/** Sets the store whose `.cache/` keeps the hashes (the planner passes its store). */
export function useContentHashStore(store: string | undefined): void {
  explicitStore = store;
}

export const contentHashCacheFile = (store = explicitStore ?? storeRoot()) =>
  join(store, '.cache', 'content-hashes.json');

function cacheFor(file: string) {
  let c = caches.get(file);
  if (!c) {
    let entries: Record<string, Stamp> = {};
    try {
      entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Stamp>;
    } catch {
      /* no cache yet, or a damaged one: start afresh */
    }
    c = { entries, dirty: false };
    caches.set(file, c);
  }
  return c;
}

function save(file: string) {
  const c = caches.get(file);
  if (!c?.dirty) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(c.entries));
    renameSync(tmp, file);
    c.dirty = false;
  } catch {
    /* a read-only store only costs rehashing next time */
  }
}

function hashFile(path: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** A file's stat stamp as the Nx plugin's memo compares it (nx-plugin.cjs `statStamp`). */
const stampOf = (st: { size: number; mtimeMs: number; ctimeMs: number; ino: number }) =>
  `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

/**
 * The stat stamps of the files behind every `contentHash` call since the last take, by the
 * path asked for: `{ '': stamp }` for a file, `{ <relative path>: stamp }` for a folder's files,
 * null for a missing path. Taken before each file is hashed, so a write during hashing shows as
 * a changed stamp. The Nx plugin keys its per-experiment memo on them (a replaced photo must
 * give a new plan, and so a new id, in `nx graph` too).
 */
const observed = new Map<string, Record<string, string> | null>();

/** Returns and forgets what `contentHash` read since the last call (see `observed`). */
export function takeObservedContentInputs(): Record<string, Record<string, string> | null> {
  const out = Object.fromEntries(observed);
  observed.clear();
  return out;
}

function fileSha(
  path: string,
  cache: ReturnType<typeof cacheFor>,
  seen?: { rel: string; into: Record<string, string> },
): string {
  const st = statSync(path);
  if (seen) seen.into[seen.rel] = stampOf(st);
  const hit = cache.entries[path];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.ino === st.ino)
    return hit.sha256;
  const sha256 = hashFile(path);
  cache.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, sha256 };
  cache.dirty = true;
  return sha256;
}

function walk(dir: string, out: string[]) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    const st = statSync(p); // follows symlinks
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
}

/**
 * sha256 of a file's bytes, or of a directory's tree (every file under it, by relative path and
 * content, in sorted order); `null` when the path does not exist (the stage reports that itself
 * when it runs).
 */
export function contentHash(path: string, opts: { store?: string } = {}): string | null {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    observed.set(abs, null);
    return null;
  }
  const cacheFile = contentHashCacheFile(opts.store);
  const cache = cacheFor(cacheFile);
  const stamps: Record<string, string> = {};
  let digest: string;
  if (statSync(abs).isDirectory()) {
    const files: string[] = [];
    walk(abs, files);
    const h = createHash('sha256').update('dir\n');
    for (const f of files) h.update(`${relative(abs, f)}\0${fileSha(f, cache, { rel: relative(abs, f), into: stamps })}\n`);
    digest = h.digest('hex');
  } else digest = fileSha(abs, cache, { rel: '', into: stamps });
  observed.set(abs, stamps);
  save(cacheFile);
  return digest;
}
