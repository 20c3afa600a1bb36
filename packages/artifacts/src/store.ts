import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { canonicalJson, sha256File, sha256Hex } from './canonical.ts';
import { codeVersion, workspaceRoot } from './code-version.ts';
import { ArtifactError } from './errors.ts';
import { artifactDirName, artifactId, type IdentitySpec } from './id.ts';
import type { Kind } from './kinds.ts';
import { MANIFEST_SCHEMA_VERSION } from './kinds.ts';
import { Manifest, type FileEntry, type UpstreamEntry } from './manifest.ts';
import { OWNER_FILE, ownerFileOf, ownRecord, startHeartbeat, writeOwnerFile } from './owner.ts';

export const MANIFEST_FILE = 'manifest.json';

/** Where artifacts live: $IMP_STORE, else <workspace>/artifacts/store. */
export function storeRoot(explicit?: string): string {
  return resolve(explicit ?? process.env.IMP_STORE ?? join(workspaceRoot(), 'artifacts', 'store'));
}

/** An artifact opened and verified against its manifest. */
export interface Artifact {
  dir: string;
  manifest: Manifest;
  /** Absolute path of one of its files; throws if the manifest does not list it. */
  file(name: string): string;
}

export interface WriteSpec extends Omit<IdentitySpec, 'upstream'> {
  upstream: Record<string, Artifact>;
  seed?: number | null;
  backend?: Record<string, unknown> | null;
}

export interface WriteResult {
  artifact: Artifact;
  /** False when an identical artifact already existed and was reused. */
  created: boolean;
}

export interface WriterResult {
  summary?: Record<string, unknown>;
  timings?: Record<string, number>;
}
export type FileWriter = (tmpDir: string) => Promise<WriterResult | void>;

/** The id and directory an artifact will have, computable before anything runs. */
export function plannedArtifact(spec: IdentitySpec, store = storeRoot()): { id: string; dir: string } {
  const id = artifactId(spec);
  return { id, dir: join(store, artifactDirName(spec.kind, id)) };
}

function upstreamIds(up: Record<string, Artifact>): Record<string, string> {
  return Object.fromEntries(Object.entries(up).map(([role, a]) => [role, a.manifest.id]));
}

/**
 * Writes an artifact atomically: `write` fills a private temporary directory, the
 * manifest (with every file's sha256) is added, files are made read-only, and the
 * directory is renamed into place. A crash before the rename leaves only a
 * `.tmp/` entry that no reader ever lists. If the artifact already exists it is
 * verified and reused: the id is content-addressed, so it is the same result.
 */
export async function writeArtifact(spec: WriteSpec, write: FileWriter, store = storeRoot()): Promise<WriteResult> {
  const ids = upstreamIds(spec.upstream);
  const { id, dir } = plannedArtifact({ ...spec, upstream: ids }, store);
  if (existsSync(join(dir, MANIFEST_FILE))) return { artifact: await openArtifact(dir), created: false };

  const tmpRoot = join(store, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const tmp = join(tmpRoot, `${basename(dir)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  // An owner record tells gc this entry is being written (docs/store-safety.md).
  const owner = ownRecord(`write ${basename(dir)}`);
  let stopBeat = () => {};
  const t0 = performance.now();
  try {
    writeOwnerFile(ownerFileOf(tmp), owner);
    stopBeat = startHeartbeat(ownerFileOf(tmp), owner);
    const extra = (await write(tmp)) ?? {};
    const files = await checksumFiles(tmp);
    const manifest: Manifest = {
      format: 'imp-artifact',
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      id,
      kind: spec.kind,
      role: spec.role,
      stage: spec.stage,
      algoVersion: spec.algoVersion,
      config: JSON.parse(canonicalJson(spec.config)),
      upstream: Object.entries(spec.upstream).map(([role, a]) => ({
        role,
        id: a.manifest.id,
        kind: a.manifest.kind,
        dir: basename(a.dir),
        manifestSha256: sha256Hex(readFileSync(join(a.dir, MANIFEST_FILE))),
        contentSha256: manifestContentSha256(a.manifest),
      })),
      files,
      codeVersion: codeVersion(),
      backend: spec.backend ?? null,
      seed: spec.seed ?? null,
      timings: { write_s: (performance.now() - t0) / 1000, ...(extra.timings ?? {}) },
      createdAt: new Date().toISOString(),
      summary: extra.summary ?? {},
    };
    writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    stopBeat();
    rmSync(ownerFileOf(tmp), { force: true });
    for (const f of [...files.map((f) => f.path), MANIFEST_FILE]) chmodSync(join(tmp, f), 0o444);
    // Directories too, explicitly (not from the umask): 0555 stops a stray write or
    // delete inside a finished artifact. `rm -rf` still works for root; others run
    // `chmod -R u+w <dir>` first (docs/store-safety.md).
    // The top directory is sealed after the rename: moving a directory to another
    // parent needs write permission on it (its '..' entry changes) for non-root.
    for (const d of subdirs(tmp).slice(1).reverse()) chmodSync(d, 0o555);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process won the race with the same content-addressed result.
      if (existsSync(join(dir, MANIFEST_FILE))) {
        rmSync(tmp, { recursive: true, force: true });
        return { artifact: await openArtifact(dir), created: false };
      }
      throw e;
    }
    chmodSync(dir, 0o555);
  } catch (e) {
    stopBeat();
    removeTree(tmp);
    throw withPath(e, tmp);
  }
  return { artifact: await openArtifact(dir, { verify: false }), created: true };
}

/** `dir` and every directory below it, parents first. */
function subdirs(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory() && !e.isSymbolicLink()) out.push(...subdirs(join(dir, e.name)));
  return out;
}

/** rm -rf that also works on read-only directories for a non-root user; never throws. */
export function removeTree(p: string): void {
  try {
    rmSync(p, { recursive: true, force: true });
    return;
  } catch {
    // fall through: make writable and retry
  }
  try {
    const fix = (d: string) => {
      const st = lstatSync(d);
      if (!st.isDirectory()) return;
      chmodSync(d, 0o755);
      for (const n of readdirSync(d)) fix(join(d, n));
    };
    fix(p);
    rmSync(p, { recursive: true, force: true });
  } catch {
    // best effort: the caller reports the original error
  }
}

/**
 * Adds the path to a filesystem error that lacks one (ENOSPC from a write names none), so the
 * CLI's one-line error can name where it happened (docs/store-safety.md, "Errors").
 */
export function withPath(e: unknown, p: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && !err.path && !(e instanceof ArtifactError)) {
    err.path = p;
    err.message = `${err.message} (while writing in ${p})`;
  }
  return e;
}

async function checksumFiles(root: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const walk = async (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink())
        throw new ArtifactError(`${p}: artifacts may not contain symlinks`, 'escaping-path', p);
      if (st.isDirectory()) await walk(p);
      else if (relative(root, p) !== MANIFEST_FILE && relative(root, p) !== OWNER_FILE)
        out.push({ path: relative(root, p), bytes: st.size, sha256: await sha256File(p) });
    }
  };
  await walk(root);
  return out;
}

export function readManifest(dir: string): Manifest {
  const mpath = join(dir, MANIFEST_FILE);
  if (!existsSync(dir)) throw new ArtifactError(`artifact ${dir} does not exist`, 'missing-artifact', dir);
  if (!existsSync(mpath)) throw new ArtifactError(`artifact ${dir} has no ${MANIFEST_FILE}`, 'missing-manifest', mpath);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(mpath, 'utf8'));
  } catch (e) {
    throw new ArtifactError(`${mpath}: not valid JSON (${(e as Error).message})`, 'bad-manifest', mpath);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ArtifactError(`${mpath}: field '${issue.path.join('.')}' ${issue.message}`, 'bad-manifest', mpath);
  }
  return parsed.data;
}

export interface OpenOptions {
  /** Expected kind; a mismatch is an error naming both. */
  kind?: Kind;
  /** Check sizes and sha256 of every file (default true). */
  verify?: boolean;
}

/** Opens an artifact, checking every file against the manifest. Errors name the file. */
export async function openArtifact(dir: string, opts: OpenOptions = {}): Promise<Artifact> {
  dir = resolve(dir);
  const manifest = readManifest(dir);
  if (opts.kind && manifest.kind !== opts.kind)
    throw new ArtifactError(`artifact ${dir} is a ${manifest.kind}, expected a ${opts.kind}`, 'wrong-kind', dir);
  checkIdentity(dir, manifest);
  if (opts.verify !== false) await verifyFiles(dir, manifest);
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of listed) confinedPath(dir, f);
  return {
    dir,
    manifest,
    file(name: string) {
      if (!listed.has(name)) throw new ArtifactError(`artifact ${dir} has no file '${name}' in its manifest`, 'missing-file', join(dir, name));
      return join(dir, name);
    },
  };
}

/**
 * The directory must be the one the manifest's content names: its id recomputes from
 * kind, role, stage, algoVersion, config and upstream ids, and the directory name is
 * `<kind>-<id20>`. Catches an edited config and two swapped directories.
 */
export function checkIdentity(dir: string, manifest: Manifest): void {
  const recomputed = artifactId({
    kind: manifest.kind,
    role: manifest.role,
    stage: manifest.stage,
    algoVersion: manifest.algoVersion,
    config: manifest.config,
    upstream: Object.fromEntries(manifest.upstream.map((u) => [u.role, u.id])),
  });
  if (recomputed !== manifest.id)
    throw new ArtifactError(
      `${join(dir, MANIFEST_FILE)}: id ${manifest.id.slice(0, 20)} does not recompute from the manifest (got ${recomputed.slice(0, 20)}; config, stage or upstream edited)`,
      'id-mismatch',
      join(dir, MANIFEST_FILE),
    );
  const expected = artifactDirName(manifest.kind, manifest.id);
  if (basename(dir) !== expected)
    throw new ArtifactError(
      `${dir}: directory name does not match the manifest id (expected ${expected}; moved or swapped artifact)`,
      'dir-mismatch',
      dir,
    );
}

/**
 * sha256 of what an artifact is: its id and its files (path, bytes, sha256), in canonical JSON.
 * Not its timings, dates, code version or summary: recomputing an artifact to the same bytes
 * gives the same digest.
 */
export function manifestContentSha256(m: Manifest): string {
  const files = [...m.files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => [f.path, f.bytes, f.sha256]);
  return sha256Hex(canonicalJson({ id: m.id, files }));
}

/**
 * Is this upstream still the artifact a downstream was made from (`imp verify`)? Ids are
 * recomputed on every read, so an upstream's own identity (config, stage, lineage) is checked
 * when it is opened or verified itself; what only the downstream can know is which bytes it
 * read. So: the recorded directory is the one the recorded id names, the upstream there holds
 * that id, and its content digest (`manifestContentSha256`) equals the recorded one. An
 * upstream deleted and recomputed to the same bytes passes (new timings do not matter); one
 * whose files were replaced, even with a consistent manifest, fails with 'upstream-changed'.
 * Returns a warning (not an error) when the upstream is absent, or when this artifact predates
 * content digests and only the whole manifest's sha256 can be compared, and it differs.
 */
export function checkUpstream(dir: string, u: UpstreamEntry, store = resolve(dir, '..')): string | null {
  const fail = (why: string, file = join(dir, MANIFEST_FILE)) =>
    new ArtifactError(`${dir}: upstream ${u.role} (${u.dir}) ${why}`, 'upstream-changed', file);
  if (u.dir !== artifactDirName(u.kind, u.id)) throw fail(`is not the directory of its id ${u.id.slice(0, 20)}`);
  const up = join(store, u.dir);
  if (!existsSync(join(up, MANIFEST_FILE))) return `upstream ${u.role} (${u.dir}) is not in the store`;
  const m = readManifest(up);
  if (m.id !== u.id) throw fail(`now holds artifact ${m.id.slice(0, 20)}`, join(up, MANIFEST_FILE));
  if (u.contentSha256) {
    if (manifestContentSha256(m) !== u.contentSha256)
      throw fail('has other files than when this artifact was made from it', join(up, MANIFEST_FILE));
    return null;
  }
  if (sha256Hex(readFileSync(join(up, MANIFEST_FILE))) === u.manifestSha256) return null;
  return `upstream ${u.role} (${u.dir}) was rewritten since this artifact was made; it predates content digests, so only its own checks apply`;
}

/**
 * The absolute path of a manifest file entry, refusing any that leaves the artifact
 * directory: absolute paths, `..` segments, and symlinks anywhere on the way.
 */
export function confinedPath(dir: string, rel: string): string {
  const bad = (why: string) =>
    new ArtifactError(`${dir}: manifest file entry '${rel}' ${why}`, 'escaping-path', join(dir, MANIFEST_FILE));
  if (rel === '' || isAbsolute(rel) || rel.includes('\\') || rel.includes('\0')) throw bad('is not a relative path');
  if (rel.split('/').some((s) => s === '..' || s === '.' || s === '')) throw bad("has '..', '.' or empty segments");
  const p = join(dir, rel);
  if (!p.startsWith(dir + sep)) throw bad('leaves the artifact directory');
  // lstat each segment: no symlink may redirect the read (even to inside the store).
  let cur = dir;
  for (const seg of rel.split('/')) {
    cur = join(cur, seg);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return p; // missing: reported by the caller as a missing file
    }
    if (st.isSymbolicLink()) throw bad('goes through a symlink');
  }
  const real = realpathSync(p);
  const realDir = realpathSync(dir);
  if (!real.startsWith(realDir + sep)) throw bad('resolves outside the artifact directory');
  return p;
}

export async function verifyFiles(dir: string, manifest: Manifest = readManifest(dir)): Promise<void> {
  for (const f of manifest.files) {
    const p = confinedPath(dir, f.path);
    if (!existsSync(p)) throw new ArtifactError(`${p}: file listed in the manifest is missing`, 'missing-file', p);
    const fst = statSync(p);
    if (!fst.isFile()) throw new ArtifactError(`${p}: listed in the manifest but not a regular file`, 'missing-file', p);
    const size = fst.size;
    if (size !== f.bytes)
      throw new ArtifactError(`${p}: size ${size} bytes, manifest says ${f.bytes} (truncated or altered)`, 'size-mismatch', p);
    const sha = await sha256File(p);
    if (sha !== f.sha256) throw new ArtifactError(`${p}: sha256 does not match the manifest (file altered)`, 'checksum-mismatch', p);
  }
}

/** Every artifact directory in the store (those with a manifest; `.tmp/` is never listed). */
export function listArtifactDirs(store = storeRoot()): string[] {
  if (!existsSync(store)) return [];
  return readdirSync(store)
    .filter((n) => !n.startsWith('.') && existsSync(join(store, n, MANIFEST_FILE)))
    .sort()
    .map((n) => join(store, n));
}

/** Resolves a user-given artifact reference: a path, a directory name, or an id prefix. */
export function resolveArtifactRef(ref: string, store = storeRoot()): string {
  if (existsSync(ref)) return resolve(ref);
  const byName = join(store, ref);
  if (existsSync(byName)) return byName;
  const hits = listArtifactDirs(store).filter((d) => {
    const n = basename(d);
    return n.split('-').pop()!.startsWith(ref) || readManifest(d).id.startsWith(ref);
  });
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new ArtifactError(`'${ref}' matches ${hits.length} artifacts; give more of the id`, 'bad-input');
  throw new ArtifactError(`no artifact '${ref}' (looked for a path, a name and an id prefix in ${store})`, 'missing-artifact', ref);
}
