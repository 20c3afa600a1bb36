// Store-level fault injections (issue 16 §5, §2 and §7 at the level of @imp/artifacts), in the
// vocabulary of vocabulary.ts. Fast (~30 s): `npm test` runs them through store-faults.spec.ts,
// and `npm run bench:faults` counts them with the end-to-end ones (pipeline-faults.ts).
//   tamper   every TAMPER on a real artifact of every kind, in a store outside the workspace
//            (tmpdir) and in one inside it: openArtifact must refuse it with an ArtifactError
//            naming the artifact, and never show an outside file's size or bytes
//   race     two processes run one stage at once: computed once, both get the same artifact
//   lock     a lock owner killed with SIGKILL: the next worker takes over in one logged line
//   enospc   a write that fills a tmpfs (root only): the error names the temp path, which is gone
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, openArtifact, writeArtifact, type Artifact } from '@imp/artifacts';
import { writeFakeDataset, writeFakeMask, writeFakeParams } from '@imp/artifacts/testing';
import {
  TAMPERS,
  hasStackTrace,
  leakIn,
  outsideFile,
  removeSealed,
  type Injection,
  type Result,
  type Tamper,
} from './vocabulary.ts';

const REPO = join(import.meta.dirname, '..', '..');
const KINDS = ['dataset', 'parameters', 'mask', 'metrics', 'analysis', 'report'] as const;
type KindName = (typeof KINDS)[number];

async function textArtifact(store: string, kind: 'metrics' | 'analysis' | 'report', tag: string, up: Artifact) {
  const { artifact } = await writeArtifact(
    { kind, role: kind, stage: `fault-${kind}`, algoVersion: '1', config: { tag }, upstream: { input: up } },
    async (d) => {
      writeFileSync(join(d, `${kind}.txt`), `${kind} ${tag}\n`.repeat(50));
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'sub', 'more.txt'), `${kind} ${tag}\n`);
    },
    store,
  );
  return artifact;
}

/** A real artifact of each kind (the readers' own files for dataset, parameters and mask). */
async function makeKind(store: string, kind: KindName, tag: number): Promise<Artifact> {
  const opts = { arch: 'f4:x', inputDim: 36, numClasses: 3, seed: tag };
  if (kind === 'dataset') return writeFakeDataset(store, { seed: tag, n: 60, nVal: 20 });
  if (kind === 'parameters') return writeFakeParams(store, opts);
  if (kind === 'mask')
    return writeFakeMask(store, { ...opts, layers: [1], keep: (i) => i % (tag + 1) === 0, tag: String(tag) });
  const ds = await writeFakeDataset(store, { seed: 1, n: 60, nVal: 20 });
  return textArtifact(store, kind, String(tag), ds);
}

function tamperInjection(where: 'outside' | 'inside', kind: KindName, t: Tamper): Injection {
  return {
    kind: 'tamper',
    name: `${t.name} on ${kind} (store ${where} the workspace)`,
    async run(): Promise<Result> {
      // "inside": under the repository, as artifacts/store is; "outside": as $IMP_STORE may be.
      const root = where === 'outside' ? tmpdir() : join(REPO, 'node_modules', '.cache');
      mkdirSync(root, { recursive: true });
      const base = mkdtempSync(join(root, 'imp-fault-'));
      try {
        const store = join(base, 'store');
        const out = outsideFile(base);
        const a = await makeKind(store, kind, 1);
        const b = await makeKind(store, kind, 2);
        await openArtifact(a.dir);
        t.apply(a.dir, b.dir, out.path);
        const err = await openArtifact(a.dir).then(
          () => null,
          (e: unknown) => e as Error,
        );
        if (!err) return { outcome: 'lost', detail: 'opened as good' };
        if (!(err instanceof ArtifactError)) return { outcome: 'lost', detail: `not an ArtifactError: ${err.message}` };
        const name = a.dir.split('/').pop()!;
        if (!err.message.includes(name)) return { outcome: 'lost', detail: `does not name ${name}: ${err.message}` };
        const leak = t.escapes ? leakIn(err.message, out) : null;
        if (leak) return { outcome: 'lost', detail: `refused, but shows ${leak}: ${err.message}` };
        return { outcome: 'detected', detail: `[${err.code}]` };
      } finally {
        removeSealed(base);
      }
    },
  };
}

const CONTEND = join(import.meta.dirname, 'contend-stage.ts');

/** Runs contend-stage.ts (one tiny stage through runStage) as its own process. */
function contend(store: string, env: Record<string, string>) {
  const p = spawn(process.execPath, ['--import', 'tsx', CONTEND, store], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((res) =>
    p.on('close', (code, signal) => res({ code, signal, out, err })),
  );
  return { p, done };
}

const producers = (logFile: string) =>
  existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('produce '))
    : [];

const race: Injection = {
  kind: 'race',
  name: 'two workers run one stage at once',
  async run() {
    const base = mkdtempSync(join(tmpdir(), 'imp-fault-race-'));
    const store = join(base, 'store');
    const logFile = join(base, 'producers.log');
    try {
      const env = { IMP_LOCK_LOG: logFile, FAULT_SLEEP_MS: '1500' };
      const [ra, rb] = await Promise.all([contend(store, env).done, contend(store, env).done]);
      if (ra.code !== 0 || rb.code !== 0) return { outcome: 'lost', detail: `a worker failed: ${ra.err}${rb.err}` };
      const [ja, jb] = [JSON.parse(ra.out), JSON.parse(rb.out)] as { dir: string; skipped: boolean }[];
      const made = producers(logFile).length;
      const problems = [
        made !== 1 && `computed ${made} times`,
        ja!.dir !== jb!.dir && 'different directories',
        [ja!.skipped, jb!.skipped].sort().join() !== 'false,true' && 'not one producer and one reuser',
        !/waiting for .* computing metrics-/.test(ra.err + rb.err) && 'the loser did not say it waited',
        existsSync(join(store, '.locks')) &&
          readdirSync(join(store, '.locks')).length !== 0 &&
          'the lock was not released',
      ].filter(Boolean);
      return problems.length
        ? { outcome: 'lost', detail: problems.join('; ') }
        : { outcome: 'survived', detail: 'computed once, both succeeded with one directory' };
    } finally {
      removeSealed(base);
    }
  },
};

const deadOwner: Injection = {
  kind: 'lock',
  name: 'the lock owner is killed with SIGKILL while computing',
  async run() {
    const base = mkdtempSync(join(tmpdir(), 'imp-fault-lock-'));
    const store = join(base, 'store');
    const logFile = join(base, 'producers.log');
    let victim: ChildProcess | undefined;
    try {
      const a = contend(store, { IMP_LOCK_LOG: logFile, FAULT_SLEEP_MS: '60000' });
      victim = a.p;
      for (let i = 0; producers(logFile).length === 0; i++) {
        if (i > 600) return { outcome: 'lost', detail: 'the first worker never took the lock' };
        await new Promise((r) => setTimeout(r, 100));
      }
      a.p.kill('SIGKILL');
      await a.done;
      if (!existsSync(join(store, '.locks')) || readdirSync(join(store, '.locks')).length !== 1)
        return { outcome: 'skipped', detail: 'the victim left no lock to take over' };
      const rb = await contend(store, { IMP_LOCK_LOG: logFile, FAULT_SLEEP_MS: '10' }).done;
      const takeovers = rb.err.split('\n').filter((l) => /taking over from dead owner/.test(l));
      const problems = [
        rb.code !== 0 && `the taker failed: ${rb.err.trim().split('\n').pop()}`,
        takeovers.length !== 1 && `${takeovers.length} takeover lines`,
        takeovers.length === 1 &&
          !new RegExp(`pid ${a.p.pid}\\b`).test(takeovers[0]!) &&
          'takeover does not name the pid',
        rb.code === 0 && JSON.parse(rb.out).skipped !== false && 'the taker did not compute',
      ].filter(Boolean);
      if (problems.length) return { outcome: 'lost', detail: problems.join('; ') };
      await openArtifact(JSON.parse(rb.out).dir);
      return { outcome: 'detected', detail: takeovers[0]!.replace(/^\[[^\]]*\]\s*/, '') };
    } finally {
      victim?.kill('SIGKILL');
      removeSealed(base);
    }
  },
};

const diskFull: Injection = {
  kind: 'enospc',
  name: 'an artifact write fills a 256 KiB tmpfs',
  async run() {
    if (process.getuid?.() !== 0) return { outcome: 'skipped', detail: 'needs root to mount a tmpfs' };
    const mnt = mkdtempSync(join(tmpdir(), 'imp-fault-full-'));
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) {
      rmSync(mnt, { recursive: true, force: true });
      return { outcome: 'skipped', detail: `mount -t tmpfs not allowed here: ${m.stderr.trim()}` };
    }
    try {
      const err = await writeArtifact(
        { kind: 'metrics', role: 'final', stage: 'fault', algoVersion: '1', config: {}, upstream: {} },
        async (d) => writeFileSync(join(d, 'big.bin'), Buffer.alloc(1 << 20, 1)),
        mnt,
      ).then(
        () => null,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      if (!err) return { outcome: 'lost', detail: 'a 1 MiB write into 256 KiB succeeded' };
      const left = readdirSync(join(mnt, '.tmp'));
      const problems = [
        err.code !== 'ENOSPC' && `code ${err.code}`,
        !(err.path ?? '').includes('.tmp') && 'the error names no temp path',
        left.length && `left ${left.join(' ')}`,
        hasStackTrace(err.message) && 'stack trace in the message',
      ].filter(Boolean);
      return problems.length
        ? { outcome: 'lost', detail: problems.join('; ') }
        : { outcome: 'detected', detail: err.message };
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  },
};

/** Every store-level injection: 8 tampers × 6 kinds × 2 places, then race, lock and enospc. */
export function storeInjections(): Injection[] {
  const out: Injection[] = [];
  for (const where of ['outside', 'inside'] as const)
    for (const kind of KINDS) for (const t of TAMPERS) out.push(tamperInjection(where, kind, t));
  out.push(race, deadOwner, diskFull);
  return out;
}
