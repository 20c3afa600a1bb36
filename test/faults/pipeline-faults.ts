// `tsx test/faults/pipeline-faults.ts` (issue 16 §8): runs a tiny experiment (NLGP data, arch f32:x,
// 30 steps, 1 level) with its store outside the workspace, injects faults, and checks that
// none is silently absorbed: after each one `imp run` must fail naming the damage, or
// recompute, and the store must end byte-identical (every listed file's sha256, every id)
// to an uninterrupted run. Faults:
//   kill     kill -9 at a seeded random moment of each stage task, then a rerun
//   ckpt     train-L0 killed right after its first checkpoint, the checkpoint's bytes flipped,
//            then a rerun (must discard it, never resume from it)
//   tamper   flip/truncate/delete a file, edit a manifest's config, swap two artifacts'
//            directories, an escaping path entry — on each artifact kind
//   race     two concurrent `imp run` of the experiment: each artifact computed exactly once
//   enospc   a full tmpfs store (root only; skipped with one line otherwise)
//   names    an experiment file named with spaces, quotes, ';' and '$'
// Prints JSON last: {injected, detected, survived, lost, by_kind}. lost = a wrong artifact
// or a false success. FAULT_SEED picks the kill moments (default 1).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArtifact, readManifest } from '@imp/artifacts';
import { makeWorkspace, REPO } from '../workspace.ts';
import { TAMPERS } from './tampers.ts';

const IMP = join(REPO, 'packages/cli/bin/imp.js');
const EXP = {
  name: 'tiny',
  seed: 0,
  data: { config: { source: { name: 'nlgp' } } },
  train: {
    config: { arch: 'f32:x', steps: 30, batchSize: 50, evalEvery: 10, trainEvalSize: 100, checkpointEvery: 10 },
  },
  prune: { levels: 1, config: { strategy: 'layerwise', fraction: 0.3 } },
  rewind: { step: 5, config: { mode: 'late' } },
};

const tmp = mkdtempSync(join(tmpdir(), 'imp-faults-'));
const log = (m: string) => process.stderr.write(`[faults] ${m}\n`);

type Tally = { injected: number; detected: number; survived: number; lost: number };
const byKind: Record<string, Tally> = {};
const lostCases: string[] = [];
function record(kind: string, outcome: 'detected' | 'survived' | 'lost', what: string) {
  const t = (byKind[kind] ??= { injected: 0, detected: 0, survived: 0, lost: 0 });
  t.injected++;
  t[outcome]++;
  if (outcome === 'lost') lostCases.push(`${kind}: ${what}`);
  log(`${kind} ${what}: ${outcome}`);
}

let seed = Number(process.env.FAULT_SEED ?? 1) >>> 0 || 1;
/** mulberry32: the kill moments are reproducible from FAULT_SEED. */
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function envFor(ws: { root: string }, store: string, extra: Record<string, string> = {}) {
  return {
    ...process.env,
    IMP_STORE: store,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    CI: 'true',
    ...extra,
  };
}
function imp(ws: { root: string }, store: string, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [IMP, ...args], {
    cwd: ws.root,
    env: envFor(ws, store, extra),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, out: `${r.stdout}\n${r.stderr}` };
}
/** Starts `imp <args>` in its own process group, so kill -9 reaches the stage it runs. */
function impAsync(ws: { root: string }, store: string, args: string[], extra: Record<string, string> = {}) {
  const p = spawn(process.execPath, [IMP, ...args], {
    cwd: ws.root,
    env: envFor(ws, store, extra),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((res) =>
    p.on('close', (code, signal) => res({ code, signal, out })),
  );
  return { p, done };
}

type Step = { task: string; outputs: Record<string, string> };
/** What an artifact is, as far as results go: its id and every file's path and sha256. */
function fingerprint(dir: string): string {
  const m = readManifest(dir);
  return JSON.stringify({ id: m.id, files: m.files.map((f) => [f.path, f.sha256]).sort() });
}
const nameOf = (dir: string) => dir.split('/').pop()!;

// --- the uninterrupted reference run, one task at a time (timed, for the kill moments) ---
const refStore = join(tmp, 'ref-store');
const ws = makeWorkspace({}, { store: refStore });
ws.write('tiny', EXP);
const plan = JSON.parse(imp(ws, refStore, ['run', 'tiny', '--plan', '--json']).stdout) as {
  steps: Step[];
};
const steps = plan.steps;
const duration: Record<string, number> = {};
for (const s of steps) {
  const t0 = Date.now();
  const r = imp(ws, refStore, ['task', 'pipelines/tiny.json', s.task]);
  if (r.code !== 0) throw new Error(`reference task ${s.task} failed:\n${r.out}`);
  duration[s.task] = Date.now() - t0;
}
const refRun = imp(ws, refStore, ['run', 'tiny']);
if (refRun.code !== 0) throw new Error(`reference imp run failed:\n${refRun.out}`);
const artifactDirs = steps.flatMap((s) => Object.values(s.outputs));
const reference = new Map(artifactDirs.map((d) => [nameOf(d), fingerprint(d)]));
log(`reference: ${steps.length} tasks, ${artifactDirs.length} artifacts; ms per task ${JSON.stringify(duration)}`);

/** Every planned artifact of `store` opens (identity, confinement, sizes, sha256) and equals the reference. */
async function storeMatches(store: string, only?: string[]): Promise<string | null> {
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
}

// --- kill -9 at a seeded random moment of each stage task, then a rerun; a corrupt checkpoint ---
{
  const store = join(tmp, 'kill-store');
  for (const s of steps) {
    const at = Math.floor(rand() * duration[s.task]!);
    const a = impAsync(ws, store, ['task', 'pipelines/tiny.json', s.task]);
    const timer = setTimeout(() => {
      try {
        process.kill(-a.p.pid!, 'SIGKILL');
      } catch {
        // it already finished
      }
    }, at);
    const r = await a.done;
    clearTimeout(timer);
    const what = `${s.task} at ${at} ms${r.signal ? '' : ' (finished first)'}`;
    // whatever the kill left, an output that exists must be whole
    let bad: string | null = null;
    for (const d of Object.values(s.outputs))
      if (existsSync(d)) await openArtifact(d).catch((e: Error) => (bad = e.message));
    const rerun = imp(ws, store, ['task', 'pipelines/tiny.json', s.task]);
    if (bad || rerun.code !== 0) record('kill', 'lost', `${what}: ${bad ?? rerun.out.slice(-400)}`);
    else record('kill', 'survived', what);
  }
  const final = imp(ws, store, ['run', 'tiny']);
  const mismatch = await storeMatches(store);
  if (final.code !== 0 || mismatch)
    record('kill', 'lost', `store after all kills and reruns: ${mismatch ?? final.out.slice(-400)}`);
  rmSync(store, { recursive: true, force: true });
}

// --- a corrupt checkpoint: kill -9 train-L0 right after its first checkpoint, flip bytes, rerun ---
{
  const store = join(tmp, 'ckpt-store');
  cpSync(refStore, store, { recursive: true, preserveTimestamps: true });
  const train = steps.find((s) => s.task === 'train-L0')!;
  for (const d of Object.values(train.outputs)) rmSync(join(store, nameOf(d)), { recursive: true, force: true });
  const work = join(store, '.work');
  const ckptsIn = () =>
    existsSync(work)
      ? (readdirSync(work, { recursive: true }) as string[]).filter((n) => /checkpoint/.test(n) && !n.endsWith('.tmp'))
      : [];
  const a = impAsync(ws, store, ['task', 'pipelines/tiny.json', 'train-L0']);
  let exited = false;
  void a.done.then(() => (exited = true));
  while (!exited && ckptsIn().length === 0) await new Promise((r) => setTimeout(r, 5));
  try {
    process.kill(-a.p.pid!, 'SIGKILL');
  } catch {
    // it already finished
  }
  await a.done;
  const ckpts = ckptsIn();
  if (ckpts.length === 0) log('ckpt: skipped (train-L0 finished before a checkpoint could be caught)');
  else {
    for (const c of ckpts) {
      const p = join(work, c);
      const b = readFileSync(p);
      b[b.length >> 1] = b[b.length >> 1]! ^ 0xff;
      writeFileSync(p, b);
    }
    const rr = imp(ws, store, ['task', 'pipelines/tiny.json', 'train-L0']);
    const mismatch = rr.code === 0 ? await storeMatches(store, Object.values(train.outputs).map(nameOf)) : null;
    const outcome = rr.code !== 0 ? 'detected' : mismatch ? 'lost' : 'survived';
    const resumedFromCorrupt = /resuming from the checkpoint/.test(rr.out);
    record(
      'ckpt',
      resumedFromCorrupt ? 'lost' : outcome,
      `${ckpts.length} corrupt checkpoint file(s)${resumedFromCorrupt ? ', resumed from it' : ''}${mismatch ? `: ${mismatch}` : ''}: ${
        rr.out
          .split('\n')
          .find((l) => /checkpoint/i.test(l))
          ?.trim() ?? ''
      }`,
    );
  }
  rmSync(store, { recursive: true, force: true });
}

// --- tampering with each artifact kind (the store outside the workspace) ---
{
  const kinds = new Map<string, string>();
  for (const d of artifactDirs) if (!kinds.has(nameOf(d).split('-')[0]!)) kinds.set(nameOf(d).split('-')[0]!, d);
  for (const [kind, refDir] of kinds) {
    for (const t of TAMPERS) {
      const store = join(tmp, `tamper-${kind}-${t.name}`);
      cpSync(refStore, store, { recursive: true, preserveTimestamps: true });
      const dir = join(store, nameOf(refDir));
      const other = join(store, nameOf(artifactDirs.find((d) => d !== refDir)!));
      t.apply(dir, other);
      const r = imp(ws, store, ['run', 'tiny']);
      const what = `${t.name} on ${kind}`;
      if (r.code !== 0) {
        // a failure must name the damaged artifact, in one clean line (no stack trace)
        const named = r.out.includes(nameOf(dir)) || (t.name === 'swap-dirs' && r.out.includes(nameOf(other)));
        const trace = /\n\s+at .+:\d+:\d+\)?\n/.test(r.out);
        // refusing an escaping entry is not enough if the outside file was stat'ed on the way
        const leak = t.name === 'escaping-path' && /shadow: size \d+ bytes/.test(r.out);
        if (leak) {
          record(
            'tamper',
            'lost',
            `${what}: refused, but leaked the size of /etc/shadow: ${r.out.trim().split('\n').pop()}`,
          );
          rmSync(store, { recursive: true, force: true });
          continue;
        }
        record(
          'tamper',
          named && !trace ? 'detected' : 'lost',
          `${what}${named ? '' : ' (not named)'}${trace ? ' (stack trace)' : ''}`,
        );
      } else {
        const mismatch = await storeMatches(store);
        record(
          'tamper',
          mismatch ? 'lost' : 'survived',
          mismatch ? `${what}: success over ${mismatch}` : `${what} (recomputed)`,
        );
      }
      rmSync(store, { recursive: true, force: true });
    }
  }
}

// --- two concurrent `imp run` of one experiment, from two workspaces sharing a store ---
{
  const store = join(tmp, 'race-store');
  const ws2 = makeWorkspace({}, { store });
  ws2.write('tiny', EXP);
  const lockLog = join(tmp, 'race-producers.log');
  const extra = { IMP_LOCK_LOG: lockLog };
  const [a, b] = [impAsync(ws, store, ['run', 'tiny'], extra), impAsync(ws2, store, ['run', 'tiny'], extra)];
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const produced = existsSync(lockLog) ? readFileSync(lockLog, 'utf8').trim().split('\n') : [];
  const perArtifact = new Map<string, number>();
  for (const l of produced) perArtifact.set(l.split(' ')[2]!, (perArtifact.get(l.split(' ')[2]!) ?? 0) + 1);
  const twice = [...perArtifact].filter(([, n]) => n > 1).map(([k]) => k);
  const mismatch = await storeMatches(store);
  const ok = ra.code === 0 && rb.code === 0 && twice.length === 0 && perArtifact.size === steps.length && !mismatch;
  record(
    'race',
    ok ? 'survived' : 'lost',
    `2 concurrent runs: exit ${ra.code}/${rb.code}, ${produced.length} productions of ${steps.length} tasks${twice.length ? `, twice: ${twice.join(' ')}` : ''}${mismatch ? `, ${mismatch}` : ''}`,
  );
  rmSync(ws2.root, { recursive: true, force: true });
  rmSync(store, { recursive: true, force: true });
}

// --- a full disk: a tiny tmpfs store ---
{
  const mnt = join(tmp, 'full');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) log(`enospc: skipped (cannot mount a tmpfs: ${(m.stderr || m.error?.message || '').trim()})`);
  else {
    try {
      const store = join(mnt, 'store');
      const r = imp(ws, store, ['task', 'pipelines/tiny.json', 'data']);
      const tmpLeft = existsSync(join(store, '.tmp')) ? readdirSync(join(store, '.tmp')) : [];
      const trace = /\n\s+at .+:\d+:\d+\)?\n/.test(r.out);
      const ok =
        r.code !== 0 && /ENOSPC|no space/i.test(r.out) && r.out.includes(mnt) && !trace && tmpLeft.length === 0;
      record(
        'enospc',
        ok ? 'detected' : 'lost',
        `data on a 256 KiB tmpfs: exit ${r.code}${trace ? ', stack trace' : ''}${tmpLeft.length ? `, left ${tmpLeft.join(' ')}` : ''}: ${r.out.trim().split('\n').pop()}`,
      );
    } finally {
      spawnSync('umount', [mnt]);
    }
  }
}

// --- hostile experiment file names (through Nx and the shell) ---
{
  const store = join(tmp, 'names-store');
  cpSync(refStore, store, { recursive: true, preserveTimestamps: true });
  // the report runs again through Nx, under the hostile file name
  const report = artifactDirs.find((d) => nameOf(d).startsWith('report-'))!;
  rmSync(join(store, nameOf(report)), { recursive: true, force: true });
  const file = `we ird'"; $(touch PWNED) $HOME.json`;
  // its own workspace: beside tiny.json the same experiment would be planned twice
  const ws3 = makeWorkspace({}, { store });
  writeFileSync(join(ws3.root, 'pipelines', file), JSON.stringify(EXP));
  const r = imp(ws3, store, ['run', join('pipelines', file)]);
  const pwned = existsSync(join(ws3.root, 'PWNED'));
  const mismatch = await storeMatches(store);
  record(
    'names',
    r.code === 0 && !pwned && !mismatch ? 'survived' : 'lost',
    `file ${JSON.stringify(file)}: exit ${r.code}${pwned ? ', shell ran it' : ''}${mismatch ? `, ${mismatch}` : ''}`,
  );
  if (r.code !== 0) log(`names: ${r.out.trim().split('\n').slice(-8).join('\n  ')}`);
  rmSync(ws3.root, { recursive: true, force: true });
  rmSync(store, { recursive: true, force: true });
}

rmSync(ws.root, { recursive: true, force: true });
rmSync(tmp, { recursive: true, force: true });
const sum = (k: keyof Tally) => Object.values(byKind).reduce((s, t) => s + t[k], 0);
if (lostCases.length) log(`LOST:\n  ${lostCases.join('\n  ')}`);
console.log(
  JSON.stringify({
    injected: sum('injected'),
    detected: sum('detected'),
    survived: sum('survived'),
    lost: sum('lost'),
    by_kind: byKind,
  }),
);
process.exitCode = lostCases.length ? 1 : 0;
