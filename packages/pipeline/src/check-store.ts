import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MANIFEST_FILE, checkIdentity, confinedPath, readManifest, sha256File, type Manifest } from '@imp/artifacts';

/**
 * What `imp run` knows of an artifact before and after Nx runs: the store, not a
 * cache over it, is the truth (docs/architecture.md, "Pipelines and Nx").
 */
export type ArtifactState =
  | { dir: string; state: 'present' }
  | { dir: string; state: 'missing' }
  | { dir: string; state: 'corrupt'; problem: string };

/**
 * Content checks are remembered per file as a stat stamp (size, mtime, ctime, inode),
 * like git's index: any write to a file, even one that restores its mtime, changes its
 * ctime, so an unchanged stamp means unchanged bytes and the file is not hashed again.
 * Stamps live in `<store>/.verified/`, beside the artifacts they vouch for.
 */
interface Stamps {
  manifest: string;
  files: Record<string, string>;
}

/** Files changed less than this long ago are hashed again next time (a coarse clock could hide a later write). */
const RACY_NS = 2_000_000_000n;

function stampOf(path: string): { stamp: string; ctimeNs: bigint } | null {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isFile()) return null;
    return { stamp: `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`, ctimeNs: st.ctimeNs };
  } catch {
    return null;
  }
}

const stampsPath = (store: string, dir: string) => join(store, '.verified', `${basename(dir)}.json`);

function readStamps(store: string, dir: string): Stamps | null {
  try {
    return JSON.parse(readFileSync(stampsPath(store, dir), 'utf8')) as Stamps;
  } catch {
    return null;
  }
}

function writeStamps(store: string, dir: string, s: Stamps) {
  try {
    const p = stampsPath(store, dir);
    mkdirSync(join(store, '.verified'), { recursive: true });
    writeFileSync(`${p}.${process.pid}.tmp`, JSON.stringify(s));
    renameSync(`${p}.${process.pid}.tmp`, p);
  } catch {
    // A read-only store only costs hashing again next time.
  }
}

export interface CheckOptions {
  store: string;
  /** Hash every file even when its stamp is unchanged (`imp run --verify`). */
  full?: boolean;
}

/**
 * Checks one planned artifact: its manifest names the planned id, and every file it
 * lists exists with the listed size and sha256 (hashed unless its stamp says it has not
 * changed since it was last hashed). Problems name the file.
 */
export async function checkArtifact(dir: string, id: string, opts: CheckOptions): Promise<ArtifactState> {
  const mpath = join(dir, MANIFEST_FILE);
  if (!existsSync(dir)) return { dir, state: 'missing' };
  let manifest: Manifest;
  try {
    manifest = readManifest(dir);
  } catch (e) {
    return { dir, state: 'corrupt', problem: (e as Error).message };
  }
  if (manifest.id !== id)
    return { dir, state: 'corrupt', problem: `${mpath}: holds artifact ${manifest.id}, the plan expects ${id}` };
  try {
    // The id must recompute from the manifest (an edited config does not), and the
    // directory must be named for it.
    checkIdentity(dir, manifest);
  } catch (e) {
    return { dir, state: 'corrupt', problem: (e as Error).message };
  }
  const now = BigInt(Date.now()) * 1_000_000n;
  const mstamp = stampOf(mpath);
  const old = opts.full ? null : readStamps(opts.store, dir);
  const prev = old && mstamp && old.manifest === mstamp.stamp ? old.files : {};
  const next: Stamps = { manifest: mstamp?.stamp ?? '', files: {} };
  let racy = !mstamp || now - mstamp.ctimeNs < RACY_NS;
  for (const f of manifest.files) {
    let p: string;
    try {
      // Never stat or hash a path outside the artifact (`../../etc/shadow` would leak its size).
      p = confinedPath(dir, f.path);
    } catch (e) {
      return { dir, state: 'corrupt', problem: (e as Error).message };
    }
    const s = stampOf(p);
    if (!s) return { dir, state: 'corrupt', problem: `${p}: file listed in the manifest is missing` };
    const size = Number(s.stamp.split(':')[0]);
    if (size !== f.bytes)
      return {
        dir,
        state: 'corrupt',
        problem: `${p}: size ${size} bytes, manifest says ${f.bytes} (truncated or altered)`,
      };
    if (prev[f.path] !== s.stamp && (await sha256File(p)) !== f.sha256)
      return { dir, state: 'corrupt', problem: `${p}: sha256 does not match the manifest (file altered)` };
    next.files[f.path] = s.stamp;
    if (now - s.ctimeNs < RACY_NS) racy = true;
  }
  if (!racy && JSON.stringify(next) !== JSON.stringify(old)) writeStamps(opts.store, dir, next);
  return { dir, state: 'present' };
}

export interface PlannedArtifactRef {
  id: string;
  dir: string;
}

/**
 * Checks a set of planned artifacts. (Upstream manifests are not compared with the
 * sha256 their downstream recorded: an artifact deleted and recomputed has the same id
 * and bytes but a new manifest, with new timings, and that must not poison its
 * downstream.)
 */
export async function checkArtifacts(
  planned: PlannedArtifactRef[],
  opts: CheckOptions,
): Promise<Map<string, ArtifactState>> {
  const out = new Map<string, ArtifactState>();
  for (const p of planned) if (!out.has(p.dir)) out.set(p.dir, await checkArtifact(p.dir, p.id, opts));
  return out;
}
