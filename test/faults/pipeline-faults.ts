// End-to-end fault injections (issue 16 §8) through `imp run` and `imp task`, in the vocabulary
// of vocabulary.ts. A tiny experiment (NLGP 12×12, arch f32:x, 60 steps, 1 level: one task of
// every stage kind) is run once uninterrupted; after every fault `imp run` must either fail in
// one line naming the damage, or finish with every artifact byte-identical to that run (every
// id and every listed file's sha256). Long (minutes): `npm run bench:faults` only.
//   kill     kill -9 of each stage task at seeded random moments (FAULT_SEED, FAULT_KILLS per
//            task), and of a whole `imp run`, then a rerun
//   ckpt     train-L0 killed right after a checkpoint, the checkpoint flipped or truncated: the
//            rerun must discard it (never resume from it) and end identical
//   tamper   every TAMPER on each artifact kind, the store outside the workspace ($IMP_STORE)
//            and inside it: refused by name, one line, no leak, the damage left in place
//   race     two concurrent `imp run` from two workspaces sharing the store: each artifact once
//   gc       `imp gc` while a stage computes: its lock, work and temp entries are kept
//   enospc   the data task on a 256 KiB tmpfs (root only)
//   names    experiment files named with spaces, quotes, ';', '$' and '${IFS}'
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArtifact, readManifest } from '@imp/artifacts';
import { makeWorkspace, REPO } from '../workspace.ts';
import { TAMPERS, hasStackTrace, leakIn, outsideFile, removeSealed, type Result, type Tally } from './vocabulary.ts';

const SUITE = 'pipeline';
const IMP = join(REPO, 'packages/cli/bin/imp.js');
const EXP = {
  name: 'tiny',
  seed: 0,
  data: { config: { source: { name: 'nlgp', size: 12, nTrain: 2000, nVal: 500 } } },
  train: {
    config: { arch: 'f32:x', steps: 60, batchSize: 50, evalEvery: 20, trainEvalSize: 100, checkpointEvery: 10 },
  },
  prune: { levels: 1, config: { strategy: 'layerwise', fraction: 0.3 } },
  rewind: { step: 5, config: { mode: 'late' } },
};

type Ws = ReturnType<typeof makeWorkspace>;
type Step = { task: string; outputs: Record<string, string> };
type Run = { code: number | null; signal: string | null; stdout: string; out: string };

/** The environment of `imp`: IMP_STORE names the store, unless it is the workspace's own (null). */
function envFor(store: string | null, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    CI: 'true',
  };
  if (store) env.IMP_STORE = store;
  else delete env.IMP_STORE;
  return { ...env, ...extra };
}

function imp(ws: Ws, store: string | null, args: string[], extra: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [IMP, ...args], {
    cwd: ws.root,
    env: envFor(store, extra),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, out: `${r.stdout}\n${r.stderr}` };
}

/** `imp <args>` in its own process group, so kill -9 of the group reaches every process it started. */
function impAsync(ws: Ws, store: string, args: string[], extra: Record<string, string> = {}) {
  const p = spawn(process.execPath, [IMP, ...args], {
    cwd: ws.root,
    env: envFor(store, extra),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  p.stdout!.on('data', (d) => ((out += d), (stdout += d)));
  p.stderr!.on('data', (d) => (out += d));
  const done = new Promise<Run>((res) => p.on('close', (code, signal) => res({ code, signal, stdout, out })));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-p.pid!, sig);
    } catch {
      // already gone
    }
  };
  return { p, done, kill: () => signal('SIGKILL'), signal };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nameOf = (dir: string) => dir.split('/').pop()!;
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';
/** What a tampered path holds now (a directory only by name: the swap moves whole directories). */
const sha = (p: string) =>
  !existsSync(p)
    ? 'absent'
    : statSync(p).isDirectory()
      ? 'dir'
      : createHash('sha256').update(readFileSync(p)).digest('hex');
const copyStore = (from: string, to: string) => cpSync(from, to, { recursive: true, preserveTimestamps: true });

/** What an artifact is, as far as results go: its id and every file's path and sha256. */
function fingerprint(dir: string): string {
  const m = readManifest(dir);
  return JSON.stringify({ id: m.id, files: m.files.map((f) => [f.path, f.sha256]).sort() });
}

/** mulberry32 over FAULT_SEED: the kill moments are reproducible. */
function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PipelineFaultOptions {
  seed?: number;
  /** Seeded kill moments per stage task (and per whole run). */
  killsPerTask?: number;
}

/** Runs every end-to-end injection, recording each in `tally`. */
export async function pipelineFaults(tally: Tally, opts: PipelineFaultOptions = {}): Promise<void> {
  const rand = seeded(opts.seed ?? 1);
  const kills = opts.killsPerTask ?? 2;
  const tmp = mkdtempSync(join(tmpdir(), 'imp-faults-'));
  const made: Ws[] = [];
  const workspace = (store: string) => {
    const w = makeWorkspace({}, { store });
    w.write('tiny', EXP);
    made.push(w);
    return w;
  };
  const rec = (kind: Parameters<Tally['record']>[1], name: string, r: Result) => tally.record(SUITE, kind, name, r);
  try {
    // --- the uninterrupted reference run, one task at a time (timed, for the kill moments) ---
    const refStore = join(tmp, 'ref-store');
    const ws = workspace(refStore);
    const plan = imp(ws, refStore, ['run', 'tiny', '--plan', '--json']);
    if (plan.code !== 0) throw new Error(`imp run --plan failed:\n${plan.out}`);
    const steps = (JSON.parse(plan.stdout) as { steps: Step[] }).steps;
    // Each task's wall time, and when its stage work starts (after process start-up): kills
    // land in that window, where artifacts, checkpoints and locks are being written.
    const duration: Record<string, number> = {};
    const workStart: Record<string, number> = {};
    for (const s of steps) {
      const t0 = Date.now();
      const r = imp(ws, refStore, ['task', 'pipelines/tiny.json', s.task], { IMP_TRACE_STARTUP: '1' });
      if (r.code !== 0) throw new Error(`reference task ${s.task} failed:\n${r.out}`);
      duration[s.task] = Date.now() - t0;
      workStart[s.task] = Math.min(Number(/starts work at ([\d.]+) ms/.exec(r.out)?.[1] ?? 0), duration[s.task]!);
    }
    const refRun = imp(ws, refStore, ['run', 'tiny']);
    if (refRun.code !== 0) throw new Error(`reference imp run failed:\n${refRun.out}`);
    const total = Object.values(duration).reduce((a, b) => a + b, 0);
    const artifactDirs = steps.flatMap((s) => Object.values(s.outputs));
    const reference = new Map(artifactDirs.map((d) => [nameOf(d), fingerprint(d)]));
    const outputsOf = (task: string) => Object.values(steps.find((s) => s.task === task)!.outputs).map(nameOf);
    process.stderr.write(
      `[faults] reference: ${steps.length} tasks, ${artifactDirs.length} artifacts; ms per task ${JSON.stringify(duration)}\n`,
    );

    /** Every named artifact of `store` opens (identity, confinement, sizes, sha256) and equals the reference. */
    const storeMatches = async (store: string, only?: string[]): Promise<string | null> => {
      for (const name of only ?? reference.keys()) {
        const dir = join(store, name);
        try {
          await openArtifact(dir);
          if (fingerprint(dir) !== reference.get(name)) return `${name} differs from the uninterrupted run`;
        } catch (e) {
          return `${name}: ${(e as Error).message}`;
        }
      }
      return null;
    };

    // --- kill -9 of each stage task at seeded random moments, then a rerun of that task ---
    {
      const store = join(tmp, 'kill-store');
      for (let round = 0; round < kills; round++)
        for (const s of steps) {
          for (const n of outputsOf(s.task)) removeSealed(join(store, n));
          let [w0, w1] = [workStart[s.task]!, duration[s.task]!];
          let at = Math.floor(w0 + rand() * (w1 - w0));
          let r: Run | null = null;
          // A task that finished first was not faulted (the machine is faster than when the
          // reference was timed): take this run's own work window, try again, at most three times.
          for (let tries = 0; tries < 3; tries++) {
            for (const n of outputsOf(s.task)) removeSealed(join(store, n));
            const t0 = Date.now();
            const a = impAsync(ws, store, ['task', 'pipelines/tiny.json', s.task], { IMP_TRACE_STARTUP: '1' });
            const timer = setTimeout(a.kill, at);
            r = await a.done;
            clearTimeout(timer);
            if (r.signal) break;
            w1 = Date.now() - t0;
            w0 = Math.min(Number(/starts work at ([\d.]+) ms/.exec(r.out)?.[1] ?? 0), w1);
            at = Math.floor(w0 + rand() * 0.9 * (w1 - w0));
          }
          const name = `${s.task} at ${at} ms`;
          if (!r!.signal) {
            rec('kill', name, { outcome: 'skipped', detail: 'the task finished before the kill, three times' });
            continue;
          }
          // whatever the kill left, an output that exists must be whole
          let broken: string | null = null;
          for (const n of outputsOf(s.task))
            if (existsSync(join(store, n)))
              await openArtifact(join(store, n)).catch((e: Error) => (broken = e.message));
          const rerun = imp(ws, store, ['task', 'pipelines/tiny.json', s.task]);
          const mismatch = rerun.code === 0 ? await storeMatches(store, outputsOf(s.task)) : null;
          rec(
            'kill',
            name,
            broken || rerun.code !== 0 || mismatch
              ? { outcome: 'lost', detail: broken ?? mismatch ?? `rerun failed: ${lastLine(rerun.out)}` }
              : { outcome: 'survived', detail: 'rerun identical' },
          );
        }
      removeSealed(store);
    }

    // --- kill -9 of a whole `imp run` (Nx and its stage processes) at seeded random moments ---
    for (let round = 0; round < kills; round++) {
      const store = join(tmp, `kill-run-store-${round}`);
      const w = workspace(store);
      const at = Math.floor(rand() * total);
      const a = impAsync(w, store, ['run', 'tiny']);
      const timer = setTimeout(a.kill, at);
      const r = await a.done;
      clearTimeout(timer);
      const name = `imp run at ${at} ms`;
      if (!r.signal) rec('kill', name, { outcome: 'skipped', detail: 'the run finished before the kill' });
      else {
        const rerun = imp(w, store, ['run', 'tiny']);
        const mismatch = rerun.code === 0 ? await storeMatches(store) : null;
        rec(
          'kill',
          name,
          rerun.code !== 0 || mismatch
            ? { outcome: 'lost', detail: mismatch ?? `rerun failed: ${lastLine(rerun.out)}` }
            : { outcome: 'survived', detail: 'rerun identical' },
        );
      }
      removeSealed(store);
    }

    // --- a corrupt checkpoint: train-L0 killed right after a checkpoint, its bytes damaged ---
    for (const how of ['flip', 'truncate'] as const) {
      const store = join(tmp, `ckpt-store-${how}`);
      copyStore(refStore, store);
      for (const n of outputsOf('train-L0')) removeSealed(join(store, n));
      const work = join(store, '.work');
      const ckpts = () =>
        existsSync(work)
          ? (readdirSync(work, { recursive: true }) as string[]).filter((n) =>
              /checkpoint-\d+-[0-9a-f]+\.arrow$/.test(n),
            )
          : [];
      const a = impAsync(ws, store, ['task', 'pipelines/tiny.json', 'train-L0']);
      let exited = false;
      void a.done.then(() => (exited = true));
      while (!exited && ckpts().length === 0) await sleep(2);
      a.kill();
      await a.done;
      const found = ckpts();
      const name = `${how} the checkpoint of a killed train-L0`;
      if (found.length === 0) {
        rec('ckpt', name, { outcome: 'skipped', detail: 'train-L0 finished before a checkpoint could be caught' });
        removeSealed(store);
        continue;
      }
      for (const c of found) {
        const p = join(work, c);
        const b = readFileSync(p);
        if (how === 'flip') b[b.length >> 1] = b[b.length >> 1]! ^ 0xff;
        writeFileSync(p, how === 'flip' ? b : b.subarray(0, b.length >> 1));
      }
      const rr = imp(ws, store, ['task', 'pipelines/tiny.json', 'train-L0']);
      const mismatch = rr.code === 0 ? await storeMatches(store, outputsOf('train-L0')) : null;
      const said = rr.out.split('\n').find((l) => /discarding corrupt checkpoint/.test(l));
      rec(
        'ckpt',
        name,
        /resuming from the checkpoint/.test(rr.out)
          ? { outcome: 'lost', detail: 'resumed from the corrupt checkpoint' }
          : rr.code !== 0
            ? { outcome: 'lost', detail: `the rerun failed: ${lastLine(rr.out)}` }
            : mismatch
              ? { outcome: 'lost', detail: mismatch }
              : !said
                ? { outcome: 'lost', detail: 'the corrupt checkpoint was not reported' }
                : { outcome: 'detected', detail: said.replace(/\/\S*\//, '…/') },
      );
      removeSealed(store);
    }

    // --- tampering with each artifact kind, the store outside and inside the workspace ---
    const out = outsideFile(tmp);
    const firstOfKind = new Map<string, string>();
    for (const d of artifactDirs)
      if (!firstOfKind.has(nameOf(d).split('-')[0]!)) firstOfKind.set(nameOf(d).split('-')[0]!, d);
    const inside = makeWorkspace({});
    inside.write('tiny', EXP);
    made.push(inside);
    for (const where of ['outside', 'inside'] as const)
      for (const [kind, refDir] of firstOfKind)
        for (const t of TAMPERS) {
          const w = where === 'outside' ? ws : inside;
          const store = where === 'outside' ? join(tmp, `tamper-store`) : inside.store;
          copyStore(refStore, store);
          const dir = join(store, nameOf(refDir));
          const other = join(store, nameOf(artifactDirs.find((d) => d !== refDir)!));
          const touched = t.apply(dir, other, out.path);
          const after = sha(touched);
          // inside: the workspace's own artifacts/store, IMP_STORE unset (the README's default mode)
          const r = imp(w, where === 'outside' ? store : null, ['run', 'tiny']);
          const name = `${t.name} on ${kind} (store ${where} the workspace)`;
          if (r.code === 0) {
            const mismatch = await storeMatches(store);
            rec(
              'tamper',
              name,
              mismatch
                ? { outcome: 'lost', detail: `success over ${mismatch}` }
                : { outcome: 'survived', detail: 'recomputed identical' },
            );
          } else {
            const named = r.out.includes(nameOf(dir)) || (t.name === 'swap-dirs' && r.out.includes(nameOf(other)));
            const leak = t.escapes ? leakIn(r.out, out) : null;
            const problems = [
              !named && 'the damaged artifact is not named',
              hasStackTrace(r.out) && 'stack trace',
              leak && `shows ${leak}`,
              // inside the workspace nothing may silently restore the damaged file
              t.name !== 'swap-dirs' && sha(touched) !== after && 'the damaged file was changed behind the user',
            ].filter(Boolean);
            rec(
              'tamper',
              name,
              problems.length
                ? { outcome: 'lost', detail: `${problems.join('; ')}: ${lastLine(r.out)}` }
                : {
                    outcome: 'detected',
                    detail: (
                      r.out.split('\n').find((l) => l.includes(nameOf(dir)) && !/rm -rf/.test(l)) ?? lastLine(r.out)
                    )
                      .replace(tmp, '…')
                      .slice(0, 200),
                  },
            );
          }
          removeSealed(store);
        }

    // --- two concurrent `imp run` of one experiment, from two workspaces sharing a store ---
    {
      const store = join(tmp, 'race-store');
      const [w1, w2] = [workspace(store), workspace(store)];
      const lockLog = join(tmp, 'race-producers.log');
      const extra = { IMP_LOCK_LOG: lockLog };
      const [ra, rb] = await Promise.all([
        impAsync(w1, store, ['run', 'tiny'], extra).done,
        impAsync(w2, store, ['run', 'tiny'], extra).done,
      ]);
      const produced = existsSync(lockLog) ? readFileSync(lockLog, 'utf8').trim().split('\n') : [];
      const per = new Map<string, number>();
      for (const l of produced) per.set(l.split(' ')[2]!, (per.get(l.split(' ')[2]!) ?? 0) + 1);
      const twice = [...per].filter(([, n]) => n > 1).map(([k]) => k);
      const mismatch = await storeMatches(store);
      const ok = ra.code === 0 && rb.code === 0 && twice.length === 0 && per.size === steps.length && !mismatch;
      rec('race', 'two concurrent imp run sharing a store', {
        outcome: ok ? 'survived' : 'lost',
        detail: `exit ${ra.code}/${rb.code}, ${produced.length} productions of ${steps.length} tasks${twice.length ? `, twice: ${twice.join(' ')}` : ''}${mismatch ? `, ${mismatch}` : ''}`,
      });
      removeSealed(store);
    }

    // --- `imp gc` while a stage computes (its owner is alive: nothing of it may go). The old gc
    // wiped a training run's resumable checkpoint and the temp directory of a writing analysis.
    for (const [task, sub, what] of [
      ['train-L0', '.work', /checkpoint-\d+-[0-9a-f]+\.arrow$/],
      ['analysis', '.tmp', /^analysis-/],
    ] as const) {
      const store = join(tmp, `gc-store-${task}`);
      copyStore(refStore, store);
      for (const n of outputsOf(task)) removeSealed(join(store, n));
      const entries = () =>
        existsSync(join(store, sub)) ? (readdirSync(join(store, sub), { recursive: true }) as string[]) : [];
      const a = impAsync(ws, store, ['task', 'pipelines/tiny.json', task]);
      let exited = false;
      void a.done.then(() => (exited = true));
      while (!exited && !entries().some((n) => what.test(n))) await sleep(2);
      // Stop the task where it is (SIGSTOP: alive, its owner records unchanged) while gc runs,
      // so gc meets its entries for sure; then let it finish.
      if (!exited) a.signal('SIGSTOP');
      const gc = exited ? null : imp(ws, store, ['gc']);
      if (!exited) a.signal('SIGCONT');
      const r = await a.done;
      const name = `imp gc while ${task} computes`;
      const kept = Number(/kept (\d+) with a live owner/.exec(gc?.out ?? '')?.[1] ?? 0);
      if (!gc || (kept === 0 && !/^removed/m.test(gc.out))) {
        rec('gc', name, { outcome: 'skipped', detail: `${task} finished before gc could meet its entries` });
        removeSealed(store);
        continue;
      }
      const mismatch = r.code === 0 ? await storeMatches(store, outputsOf(task)) : null;
      const removed = gc.out.split('\n').filter((l) => /^removed/.test(l));
      rec(
        'gc',
        name,
        r.code !== 0 || mismatch || removed.length
          ? {
              outcome: 'lost',
              detail: [removed.length && `gc removed ${removed.join(', ')}`, mismatch, r.code !== 0 && lastLine(r.out)]
                .filter(Boolean)
                .join('; '),
            }
          : { outcome: 'survived', detail: lastLine(gc.out) },
      );
      removeSealed(store);
    }

    // --- a full disk: the store on a 256 KiB tmpfs ---
    {
      const name = 'the data task on a 256 KiB tmpfs';
      const mnt = join(tmp, 'full');
      mkdirSync(mnt);
      const m =
        process.getuid?.() === 0
          ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' })
          : null;
      if (!m || m.status !== 0)
        rec('enospc', name, { outcome: 'skipped', detail: m ? `cannot mount: ${m.stderr.trim()}` : 'needs root' });
      else
        try {
          const store = join(mnt, 'store');
          const r = imp(ws, store, ['task', 'pipelines/tiny.json', 'data']);
          const left = existsSync(join(store, '.tmp')) ? readdirSync(join(store, '.tmp')) : [];
          const problems = [
            r.code === 0 && 'succeeded',
            !/ENOSPC|no space/i.test(r.out) && 'does not say the disk is full',
            !r.out.includes(mnt) && 'names no path',
            hasStackTrace(r.out) && 'stack trace',
            left.length && `left ${left.join(' ')}`,
          ].filter(Boolean);
          rec(
            'enospc',
            name,
            problems.length
              ? { outcome: 'lost', detail: `${problems.join('; ')}: ${lastLine(r.out)}` }
              : { outcome: 'detected', detail: lastLine(r.out).replace(tmp, '…') },
          );
        } finally {
          spawnSync('umount', [mnt]);
        }
    }

    // --- hostile experiment file names (through Nx's command and any shell) ---
    for (const file of [`we ird'"; $(touch PWNED) $HOME.json`, 'inj;touch${IFS}PWNED;.json']) {
      const store = join(tmp, 'names-store');
      copyStore(refStore, store);
      // the report runs again through Nx, under the hostile file name
      for (const n of outputsOf('report')) removeSealed(join(store, n));
      const w = makeWorkspace({}, { store });
      made.push(w);
      writeFileSync(join(w.root, 'pipelines', file), JSON.stringify(EXP));
      const r = imp(w, store, ['run', join('pipelines', file)]);
      const pwned = existsSync(join(w.root, 'PWNED'));
      const mismatch = await storeMatches(store);
      rec('names', `experiment file ${JSON.stringify(file)}`, {
        outcome: r.code === 0 && !pwned && !mismatch ? 'survived' : 'lost',
        detail: `exit ${r.code}${pwned ? ', a shell ran part of the name' : ''}${mismatch ? `, ${mismatch}` : ''}${r.code ? `: ${lastLine(r.out)}` : ''}`,
      });
      removeSealed(store);
    }
  } finally {
    for (const w of made) removeSealed(w.root);
    removeSealed(tmp);
  }
}
