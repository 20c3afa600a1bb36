// Fault injections on a small real store. Each returns how the store reacted:
// detected (a named error, nothing wrong used), survived (the fault was harmless and the
// result is still right), or lost (a wrong artifact or a false success).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactError, MANIFEST_FILE, openArtifact, writeArtifact, type Kind } from '@imp/artifacts';

export type Outcome = 'detected' | 'survived' | 'lost';
export interface Injection {
  kind: string;
  name: string;
  run(): Promise<Outcome>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const KINDS: Kind[] = ['dataset', 'parameters', 'mask', 'metrics', 'analysis', 'report'];

async function sampleArtifact(store: string, kind: Kind, tag: string) {
  const { artifact } = await writeArtifact(
    { kind, role: 'final', stage: 'fault', algoVersion: '1', config: { tag }, upstream: {} },
    async (d) => {
      writeFileSync(
        join(d, 'data.bin'),
        Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + tag.length) & 255)),
      );
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'sub', 'more.txt'), `${kind} ${tag}\n`);
    },
    store,
  );
  return artifact.dir;
}

function unsealed(dir: string, f: () => void) {
  chmodSync(dir, 0o755);
  try {
    f();
  } finally {
    chmodSync(dir, 0o555);
  }
}

function editManifest(dir: string, edit: (m: Record<string, any>) => void) {
  unsealed(dir, () => {
    const p = join(dir, MANIFEST_FILE);
    chmodSync(p, 0o644);
    const m = JSON.parse(readFileSync(p, 'utf8'));
    edit(m);
    writeFileSync(p, JSON.stringify(m));
  });
}

async function opened(dir: string): Promise<Outcome> {
  try {
    await openArtifact(dir);
    return 'lost';
  } catch (e) {
    return e instanceof ArtifactError ? 'detected' : 'lost';
  }
}

const tamperings: Array<[string, (dir: string, other: string) => void]> = [
  [
    'flip a byte',
    (d) =>
      unsealed(d, () => {
        const p = join(d, 'data.bin');
        chmodSync(p, 0o644);
        const b = readFileSync(p);
        b[17] = b[17]! ^ 1;
        writeFileSync(p, b);
      }),
  ],
  [
    'truncate',
    (d) => unsealed(d, () => (chmodSync(join(d, 'data.bin'), 0o644), truncateSync(join(d, 'data.bin'), 100))),
  ],
  ['delete a file', (d) => chmodSync(join(d, 'sub'), 0o755) ?? unlinkSync(join(d, 'sub', 'more.txt'))],
  ['edit the config', (d) => editManifest(d, (m) => (m.config.tag = 'edited'))],
  ['swap two directories', (d, o) => (renameSync(d, d + '.x'), renameSync(o, d), renameSync(d + '.x', o))],
  ['escaping path entry', (d) => editManifest(d, (m) => (m.files[0].path = '../../outside/precious.txt'))],
  ['absolute path entry', (d) => editManifest(d, (m) => (m.files[0].path = '/etc/shadow'))],
  [
    'symlink out',
    (d) =>
      unsealed(
        d,
        () => (
          chmodSync(join(d, 'data.bin'), 0o644),
          unlinkSync(join(d, 'data.bin')),
          symlinkSync('/etc/hostname', join(d, 'data.bin'))
        ),
      ),
  ],
];

export function injections(): Injection[] {
  const out: Injection[] = [];
  for (const where of ['tmpdir store (IMP_STORE outside the workspace)', 'workspace-like store']) {
    for (const kind of KINDS)
      for (const [name, tamper] of tamperings)
        out.push({
          kind: `tamper:${kind}`,
          name: `${name} (${where})`,
          async run() {
            const root = where.startsWith('tmpdir') ? tmpdir() : join(here, '..', '..', 'node_modules', '.cache');
            mkdirSync(root, { recursive: true });
            const store = mkdtempSync(join(root, 'imp-fault-'));
            try {
              const a = await sampleArtifact(store, kind, 'a');
              const b = await sampleArtifact(store, kind, 'b');
              tamper(a, b);
              return await opened(a);
            } finally {
              spawnSync('chmod', ['-R', 'u+w', store]);
              rmSync(store, { recursive: true, force: true });
            }
          },
        });
  }
  out.push({
    kind: 'concurrency',
    name: 'two workers, one artifact: computed exactly once',
    async run() {
      const store = mkdtempSync(join(tmpdir(), 'imp-fault-lock-'));
      const log = join(store, 'producers.log');
      try {
        const one = () =>
          new Promise<string>((res, rej) => {
            const p = spawn(process.execPath, ['--import', 'tsx', join(here, 'slow-stage.ts'), store], {
              env: { ...process.env, IMP_LOCK_LOG: log },
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            let s = '';
            p.stdout.on('data', (c) => (s += c));
            p.on('exit', (code) => (code === 0 ? res(s) : rej(new Error(`worker exited ${code}`))));
          });
        const outs = await Promise.all([one(), one()]);
        const producers = readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('produce')).length;
        const skipped = outs.filter((o) => o.includes('"skipped":true')).length;
        return producers === 1 && skipped === 1 ? 'detected' : 'lost';
      } finally {
        spawnSync('chmod', ['-R', 'u+w', store]);
        rmSync(store, { recursive: true, force: true });
      }
    },
  });
  out.push({
    kind: 'lock',
    name: 'a lock left by a dead worker is taken over (one log line) and the artifact computed',
    async run() {
      const store = mkdtempSync(join(tmpdir(), 'imp-fault-stale-'));
      try {
        const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
        mkdirSync(join(store, '.locks'));
        // the lock name runStage uses: the output directory name
        const probe = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'slow-stage.ts'), store], {
          encoding: 'utf8',
        });
        if (probe.status !== 0) return 'lost';
        const name = readdirSync(store).find((n) => n.startsWith('metrics-'))!;
        spawnSync('chmod', ['-R', 'u+w', join(store, name)]);
        rmSync(join(store, name), { recursive: true });
        writeFileSync(
          join(store, '.locks', `${name}.lock`),
          JSON.stringify({ host: hostname(), pid: dead, startTime: null, heartbeat: Date.now(), createdAt: '' }),
        );
        const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'slow-stage.ts'), store], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        return r.status === 0 && readdirSync(store).includes(name) ? 'detected' : 'lost';
      } finally {
        spawnSync('chmod', ['-R', 'u+w', store]);
        rmSync(store, { recursive: true, force: true });
      }
    },
  });
  out.push({
    kind: 'disk-full',
    name: 'ENOSPC mid-write: error names the temp path, no .tmp entry left',
    async run() {
      if (process.getuid?.() !== 0) {
        console.error('skip disk-full: needs root to mount a tmpfs');
        return 'survived';
      }
      const mnt = mkdtempSync(join(tmpdir(), 'imp-fault-full-'));
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
      if (m.status !== 0) {
        console.error('skip disk-full: mount -t tmpfs not allowed here');
        rmSync(mnt, { recursive: true, force: true });
        return 'survived';
      }
      try {
        try {
          await writeArtifact(
            { kind: 'metrics', role: 'final', stage: 'fault', algoVersion: '1', config: {}, upstream: {} },
            async (d) => writeFileSync(join(d, 'big.bin'), Buffer.alloc(1 << 20, 1)),
            mnt,
          );
          return 'lost';
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          const left = readdirSync(join(mnt, '.tmp'));
          return err.code === 'ENOSPC' && (err.path ?? '').includes('.tmp') && left.length === 0 ? 'detected' : 'lost';
        }
      } finally {
        spawnSync('umount', [mnt]);
        rmSync(mnt, { recursive: true, force: true });
      }
    },
  });
  return out;
}
