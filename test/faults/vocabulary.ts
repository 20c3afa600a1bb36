// The one vocabulary of the fault-injection suite (issue 16 §8, docs/store-safety.md "Fault
// injection"): what a fault is called, how it is applied to a sealed artifact, and how its
// outcome is counted. Both levels use it: store-faults.ts (openArtifact, runStage, writeArtifact
// in-process; fast, run by `npm test`) and pipeline-faults.ts (through `imp run` and `imp task`
// on a tiny experiment; `npm run bench:faults` only).
import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * detected: refused with a named error and nothing wrong used; survived: the fault was absorbed
 * and the result equals an unfaulted one; lost: a wrong artifact, a false success, a leak, a
 * stack trace or an unnamed error; skipped: could not be injected here (never counted as injected).
 */
export type Outcome = 'detected' | 'survived' | 'lost' | 'skipped';

/** Fault categories, the keys of `by_kind` in the bench summary. */
export type FaultKind =
  | 'tamper' // an artifact damaged in place (TAMPERS below), each artifact kind
  | 'kill' // kill -9 of a stage task or of `imp run` at a seeded random moment
  | 'ckpt' // a corrupt training checkpoint
  | 'race' // two producers of one artifact at once
  | 'lock' // a lock left by a SIGKILLed owner
  | 'gc' // `imp gc` while a run is working
  | 'enospc' // a full file system
  | 'names' // hostile experiment file names
  | 'harness'; // the suite itself could not run (its reference run failed): counted lost

export interface Result {
  outcome: Outcome;
  /** What happened, one line (printed for every injection, kept for lost ones). */
  detail: string;
}

export interface Injection {
  kind: FaultKind;
  name: string;
  run(): Promise<Result>;
}

export type Counts = { injected: number; detected: number; survived: number; lost: number; skipped: number };
const zero = (): Counts => ({ injected: 0, detected: 0, survived: 0, lost: 0, skipped: 0 });

/** Counts outcomes per suite and per kind; `summary()` is the bench's JSON line. */
export class Tally {
  readonly byKind: Record<string, Counts> = {};
  readonly bySuite: Record<string, Counts> = {};
  readonly lost: string[] = [];
  constructor(private readonly log: (line: string) => void = (l) => process.stderr.write(`[faults] ${l}\n`)) {}

  record(suite: string, kind: FaultKind, name: string, r: Result): void {
    for (const c of [(this.byKind[kind] ??= zero()), (this.bySuite[suite] ??= zero())]) {
      c[r.outcome]++;
      if (r.outcome !== 'skipped') c.injected++;
    }
    if (r.outcome === 'lost') this.lost.push(`${suite}/${kind}: ${name}: ${r.detail}`);
    this.log(`${suite}/${kind} ${name}: ${r.outcome.toUpperCase()}${r.detail ? ` — ${r.detail}` : ''}`);
  }

  /** Runs one injection; an exception it throws is lost (the harness could not tell). */
  async run(suite: string, inj: Injection): Promise<Result> {
    const r = await inj.run().catch((e: unknown): Result => ({
      outcome: 'lost',
      detail: `injection threw: ${(e as Error).stack ?? String(e)}`,
    }));
    this.record(suite, inj.kind, inj.name, r);
    return r;
  }

  totals(): Counts {
    const t = zero();
    for (const c of Object.values(this.bySuite)) for (const k of Object.keys(t) as (keyof Counts)[]) t[k] += c[k];
    return t;
  }

  summary(): string {
    const { injected, detected, survived, lost, skipped } = this.totals();
    return JSON.stringify({
      injected,
      detected,
      survived,
      lost,
      skipped,
      by_suite: this.bySuite,
      by_kind: this.byKind,
    });
  }
}

/** Unseals an artifact directory (0555) and everything in it (0444) so a fault can edit it. */
export function unseal(dir: string): void {
  chmodSync(dir, 0o755);
  for (const n of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, n);
    if (lstatSync(p).isSymbolicLink()) continue;
    chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
  }
}

/** The largest file the manifest lists: the one a stage is sure to read. */
function dataFile(dir: string): string {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    files: { path: string; bytes: number }[];
  };
  const f = [...m.files].sort((a, b) => b.bytes - a.bytes)[0];
  if (!f) throw new Error(`${dir} lists no file to tamper with`);
  return join(dir, f.path);
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): string {
  const p = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(p, JSON.stringify(m, null, 2));
  return p;
}

const firstEntry = (m: Record<string, unknown>) => (m.files as { path: string }[])[0]!;

export interface Tamper {
  name: string;
  /** The entry points outside the artifact: a refusal must not leak the outside file's size or bytes. */
  escapes?: boolean;
  /**
   * Damages `dir` in place; `other` is a second artifact (for the swap), `outside` a file
   * outside every artifact (for the escapes). Returns the path it changed.
   */
  apply(dir: string, other: string, outside: string): string;
}

/** Every way the suite damages a sealed artifact: bad disks, careless users, hostile ones. */
export const TAMPERS: Tamper[] = [
  {
    name: 'flip-byte',
    apply(dir) {
      unseal(dir);
      const f = dataFile(dir);
      const b = readFileSync(f);
      b[b.length >> 1] = b[b.length >> 1]! ^ 0x01;
      writeFileSync(f, b);
      return f;
    },
  },
  {
    name: 'truncate',
    apply(dir) {
      unseal(dir);
      const f = dataFile(dir);
      truncateSync(f, Math.floor(statSync(f).size / 2));
      return f;
    },
  },
  {
    name: 'delete-file',
    apply(dir) {
      unseal(dir);
      const f = dataFile(dir);
      rmSync(f);
      return f;
    },
  },
  {
    name: 'edit-config',
    apply(dir) {
      unseal(dir);
      return editManifest(dir, (m) => ((m.config as Record<string, unknown>).__tampered = 1));
    },
  },
  {
    name: 'swap-dirs',
    apply(dir, other) {
      renameSync(dir, `${dir}.swap`);
      renameSync(other, dir);
      renameSync(`${dir}.swap`, other);
      return dir;
    },
  },
  {
    name: 'escaping-path',
    escapes: true,
    apply(dir, _other, outside) {
      unseal(dir);
      // as many '..' as it takes from the artifact to the root, then down to the outside file
      const ups = '../'.repeat(dir.split('/').length - 1);
      return editManifest(dir, (m) => (firstEntry(m).path = `${ups}${outside.slice(1)}`));
    },
  },
  {
    name: 'absolute-path',
    escapes: true,
    apply(dir, _other, outside) {
      unseal(dir);
      return editManifest(dir, (m) => (firstEntry(m).path = outside));
    },
  },
  {
    name: 'symlink-out',
    escapes: true,
    apply(dir, _other, outside) {
      unseal(dir);
      const f = dataFile(dir);
      rmSync(f);
      symlinkSync(outside, f);
      return f;
    },
  },
];

/** A file outside every artifact that escaping tampers point at; its size and bytes must never show. */
export function outsideFile(root: string): { path: string; size: number; secret: string } {
  const secret = 'precious-outside-bytes-7f3a';
  const path = join(root, 'outside-precious.txt');
  const text = `${secret}\n`.repeat(37); // 1036 bytes: a size no artifact file here has
  writeFileSync(path, text);
  return { path, size: text.length, secret };
}

/** Why an error message leaks the outside file (its size or bytes), or null. */
export function leakIn(message: string, outside: { size: number; secret: string }): string | null {
  if (message.includes(outside.secret)) return "the outside file's bytes";
  if (new RegExp(`\\b${outside.size}\\b`).test(message)) return "the outside file's size";
  return null;
}

/** A Node stack frame in captured output (errors must be one line; --debug shows traces). */
export const hasStackTrace = (out: string) => /\n\s+at .+:\d+:\d+\)?(\n|$)/.test(out);

/** Removes a temporary tree holding sealed (read-only) artifacts; never follows a symlink. */
export function removeSealed(p: string): void {
  try {
    rmSync(p, { recursive: true, force: true });
    return;
  } catch {
    // a non-root user cannot delete inside 0555 directories: open them up first
  }
  const open = (d: string) => {
    if (!lstatSync(d, { throwIfNoEntry: false })?.isDirectory()) return;
    chmodSync(d, 0o755);
    for (const n of readdirSync(d)) open(join(d, n));
  };
  open(p);
  rmSync(p, { recursive: true, force: true });
}
