import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@imp/artifacts';
import { PhotoSourceError } from './errors.ts';

/**
 * The default photographs: the sample images Debian ships in `python3-skimage`
 * (skimage/data/). They are real photographs of varied content (spec §8 "Data":
 * natural, non-Gaussian, local statistics are what drive local receptive fields),
 * reachable without Python and without root through the Debian package itself.
 */
export const SKIMAGE_PACKAGE = 'python3-skimage';

/** One class per photograph; `.png` unless listed in SKIMAGE_JPEG. */
export const DEFAULT_PHOTOS = [
  'astronaut',
  'brick',
  'camera',
  'chelsea',
  'coffee',
  'coins',
  'grass',
  'gravel',
  'motorcycle_left',
  'rocket',
] as const;

export interface PackagePhotos {
  /** The skimage/data directory holding the photographs. */
  dir: string;
  /** 'installed' = read from the installed package; 'package-file' = unpacked from a downloaded .deb in the cache. */
  origin: 'installed' | 'package-file';
  package: string;
  version: string;
}

export interface LocateOptions {
  /** Cache directory for the downloaded package (default: $IMP_CACHE_DIR/skimage or <workspace>/.cache/skimage). */
  cacheDir?: string;
  /** apt-get executable (tests point it at a missing binary). */
  aptGet?: string;
  /** Skip the installed package (tests exercise the download route). */
  ignoreInstalled?: boolean;
  log?: (m: string) => void;
}

export const FOLDER_HINT =
  "supply your own photographs instead: set the photos source's `folder` to a directory of PNG or JPEG files " +
  '(one class per file, or one class per subfolder of images)';

export function defaultCacheDir(): string {
  return join(process.env.IMP_CACHE_DIR ?? join(workspaceRoot(), '.cache'), 'skimage');
}

function run(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}) {
  return spawnSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function lastLine(b: Buffer | string | null | undefined): string {
  const lines = String(b ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/unsandboxed/.test(l));
  return lines.at(-1) ?? '';
}

function installedPackage(): PackagePhotos | null {
  let version: string;
  try {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}\t${Version}', SKIMAGE_PACKAGE], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    const [st, v] = status.split('\t');
    if (!st?.endsWith('installed') || st.includes('not-installed')) return null;
    version = v!;
  } catch {
    return null;
  }
  let dir: string | undefined;
  try {
    const files = execFileSync('dpkg', ['-L', SKIMAGE_PACKAGE], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 26,
    })
      .toString()
      .split('\n');
    dir = files.find((f) => /\/skimage\/data$/.test(f));
  } catch {
    /* fall through to the usual location */
  }
  dir ??= '/usr/lib/python3/dist-packages/skimage/data';
  return existsSync(dir) ? { dir, origin: 'installed', package: SKIMAGE_PACKAGE, version } : null;
}

interface CacheRecord {
  package: string;
  version: string;
  deb: string;
  dataDir: string;
}

function fromCache(cacheDir: string): PackagePhotos | null {
  const rec = join(cacheDir, 'source.json');
  if (!existsSync(rec)) return null;
  try {
    const r = JSON.parse(readFileSync(rec, 'utf8')) as CacheRecord;
    const dir = join(cacheDir, r.dataDir);
    if (existsSync(dir) && readdirSync(dir).length > 0)
      return { dir, origin: 'package-file', package: r.package, version: r.version };
  } catch {
    /* a broken cache is refetched */
  }
  return null;
}

/**
 * Finds the python3-skimage photographs: the installed package if there is one,
 * else a previously unpacked package file in the cache, else `apt-get download`
 * (no root needed once the package lists exist) and unpack only skimage/data.
 */
export function locateSkimagePhotos(opts: LocateOptions = {}): PackagePhotos {
  const log = opts.log ?? (() => {});
  if (!opts.ignoreInstalled) {
    const inst = installedPackage();
    if (inst) return inst;
  }
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const cached = fromCache(cacheDir);
  if (cached) return cached;

  const aptGet = opts.aptGet ?? 'apt-get';
  mkdirSync(cacheDir, { recursive: true });
  // Work in a private temporary folder and rename into place: concurrent runs never see half a package.
  const tmp = mkdtempSync(join(cacheDir, '.tmp-'));
  try {
    log(`downloading Debian package ${SKIMAGE_PACKAGE} into ${cacheDir}`);
    const dl = run(aptGet, ['download', SKIMAGE_PACKAGE], { cwd: tmp });
    if (dl.error) {
      const why =
        (dl.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${aptGet} is not available on this machine`
          : dl.error.message;
      throw new PhotoSourceError(
        `photos: cannot get the default photographs from Debian package ${SKIMAGE_PACKAGE}: ${why}; ${FOLDER_HINT}`,
      );
    }
    if (dl.status !== 0)
      throw new PhotoSourceError(
        `photos: '${aptGet} download ${SKIMAGE_PACKAGE}' failed (${lastLine(dl.stderr) || `exit ${dl.status}`}); ` +
          `on a fresh machine run 'apt-get update' as root first, or ${FOLDER_HINT}`,
      );
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb)
      throw new PhotoSourceError(
        `photos: '${aptGet} download ${SKIMAGE_PACKAGE}' left no .deb in ${tmp}; ${FOLDER_HINT}`,
      );
    const debPath = join(tmp, deb);
    const ver = run('dpkg-deb', ['-f', debPath, 'Version']);
    if (ver.error || ver.status !== 0)
      throw new PhotoSourceError(
        `photos: dpkg-deb cannot read ${deb} (${ver.error?.message ?? lastLine(ver.stderr)}); ${FOLDER_HINT}`,
      );
    const version = String(ver.stdout).trim();
    const tar = run('dpkg-deb', ['--fsys-tarfile', debPath]);
    if (tar.status !== 0)
      throw new PhotoSourceError(
        `photos: dpkg-deb --fsys-tarfile ${deb} failed (${lastLine(tar.stderr)}); ${FOLDER_HINT}`,
      );
    const root = join(tmp, 'root');
    mkdirSync(root);
    const x = run('tar', ['-x', '-C', root, '--wildcards', '*/skimage/data/*.png', '*/skimage/data/*.jpg'], {
      input: tar.stdout,
    });
    if (x.error || x.status !== 0)
      throw new PhotoSourceError(
        `photos: unpacking skimage/data from ${deb} failed (${x.error?.message ?? lastLine(x.stderr)}); ${FOLDER_HINT}`,
      );
    rmSync(debPath); // only the photographs are kept (5 MB instead of 21 MB)
    const dataDir = findDataDir(root);
    if (!dataDir) throw new PhotoSourceError(`photos: ${deb} holds no skimage/data directory; ${FOLDER_HINT}`);
    const name = `${SKIMAGE_PACKAGE}_${version}`;
    const rec: CacheRecord = {
      package: SKIMAGE_PACKAGE,
      version,
      deb,
      dataDir: join(name, dataDir.slice(root.length + 1)),
    };
    writeFileSync(join(tmp, 'source.json'), JSON.stringify(rec, null, 1));
    const final = join(cacheDir, name);
    rmSync(final, { recursive: true, force: true });
    renameSync(root, final);
    renameSync(join(tmp, 'source.json'), join(cacheDir, 'source.json'));
    log(`unpacked ${SKIMAGE_PACKAGE} ${version} photographs into ${join(cacheDir, rec.dataDir)}`);
    return { dir: join(cacheDir, rec.dataDir), origin: 'package-file', package: SKIMAGE_PACKAGE, version };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function findDataDir(root: string): string | null {
  const stack = [root];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (!statSync(p).isDirectory()) continue;
      if (e === 'data' && d.endsWith('/skimage')) return p;
      stack.push(p);
    }
  }
  return null;
}

/** The file of one named photograph in skimage/data (`name`, `name.png` or `name.jpg`). */
export function packagePhotoFile(dir: string, name: string): string {
  for (const cand of [name, `${name}.png`, `${name}.jpg`, `${name}.jpeg`]) {
    const p = join(dir, cand);
    if (/\.(png|jpe?g)$/i.test(cand) && existsSync(p)) return p;
  }
  const have = readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .map((f) => f.replace(/\.(png|jpe?g)$/i, ''));
  throw new PhotoSourceError(`photos: no photograph '${name}' in ${dir} (available: ${have.sort().join(', ')})`);
}
