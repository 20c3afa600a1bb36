// The tampering faults of issue 16 §8, shared by tamper.spec.ts (store level) and
// bench-faults.ts (through `imp run`). Each one damages a sealed artifact in place the way
// a bad disk, a careless user or a hostile one could; the artifact must then be refused
// by name, never read as good.
import {
  chmodSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Unseals an artifact directory (0555) and its files (0444) so a fault can edit them. */
export function unseal(dir: string): void {
  chmodSync(dir, 0o755);
  for (const n of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, n);
    chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
  }
}

function dataFile(dir: string): string {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { path: string; size: number }[] };
  // the largest file: the one a stage is sure to read
  const f = [...m.files].sort((a, b) => b.size - a.size)[0];
  if (!f) throw new Error(`${dir} lists no file to tamper with`);
  return join(dir, f.path);
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const p = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(p, JSON.stringify(m, null, 2));
}

export interface Tamper {
  name: string;
  /** Damages `dir`; `other` is a second artifact of the store (for the swap). Returns the file it touched. */
  apply(dir: string, other: string): string;
}

export const TAMPERS: Tamper[] = [
  {
    name: 'flip-byte',
    apply(dir) {
      unseal(dir);
      const f = dataFile(dir);
      const b = readFileSync(f);
      const i = Math.floor(b.length / 2);
      b[i] = b[i]! ^ 0x01;
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
      editManifest(dir, (m) => ((m.config as Record<string, unknown>).__tampered = 1));
      return join(dir, 'manifest.json');
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
    apply(dir) {
      unseal(dir);
      editManifest(dir, (m) => ((m.files as { path: string }[])[0]!.path = '../../../../etc/shadow'));
      return join(dir, 'manifest.json');
    },
  },
];
