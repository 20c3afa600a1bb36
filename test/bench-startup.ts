// `npm run bench:startup` (issue 12 §2): milliseconds from process start to the first work
// of `imp task` for the mask and rewind stages of a tiny experiment, in a temporary store,
// with the ahead-of-time build (the default) and with tsx (IMP_TSX=1). The first work is
// the moment the planned task starts executing (the `startup:` line that IMP_TRACE_STARTUP
// makes execute-task.ts print), after the CLI loaded and the experiment was planned. Also the
// process CPU time to that moment (robust to other load on the machine), and with the bundle's
// V8 code cache off (IMP_CODE_CACHE=0), and with the caller's NODE_EXTRA_CA_CERTS kept (see
// `asRun`). Prints JSON as its last line.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const imp = join(root, 'packages', 'cli', 'bin', 'imp.js');
const dir = mkdtempSync(join(tmpdir(), 'imp-startup-'));
const file = join(dir, 'startup.json');
const env = { ...process.env, IMP_STORE: join(dir, 'store') };
const ROUNDS = Number(process.env.ROUNDS ?? 5);

writeFileSync(
  file,
  JSON.stringify({
    name: 'startup',
    seed: 0,
    data: { config: { source: { name: 'nlgp' } } },
    train: { config: { arch: 'f32:x', steps: 20, batchSize: 50, evalEvery: 20, trainEvalSize: 100 } },
    prune: { levels: 1, config: { strategy: 'layerwise', fraction: 0.3 } },
    rewind: { step: 5, config: { mode: 'late' } },
  }),
);

const node = (args: string[], extra: Record<string, string> = {}) =>
  execFileSync(process.execPath, [imp, ...args], {
    env: { ...env, ...extra },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

type Step = { task: string; outputs: Record<string, string> };
const steps = (JSON.parse(node(['run', file, '--plan', '--json'])) as { steps: Step[] }).steps;
for (const t of ['data', 'train-L0', 'mask-L1', 'rewind-L1']) node(['task', file, t]);

function removeOutputs(task: string) {
  for (const d of Object.values(steps.find((s) => s.task === task)!.outputs)) {
    try {
      chmodSync(d, 0o755);
    } catch {
      // not there
    }
    rmSync(d, { recursive: true, force: true });
  }
}

/** One fresh process, its output removed first so the stage really works. */
function startupMs(task: string, extra: Record<string, string>): { wall: number; cpu: number } {
  removeOutputs(task);
  const r = spawnSync(process.execPath, [imp, 'task', file, task], {
    env: { ...env, ...extra, IMP_TRACE_STARTUP: '1' },
    encoding: 'utf8',
  });
  const m = /startup: \S+ starts work at ([0-9.]+) ms \(cpu ([0-9]+) ms\)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`imp task ${task} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const result: Record<string, Record<string, number>> = {};
// `imp run` starts its stage processes with NODE_EXTRA_CA_CERTS emptied (pipeline-commands.ts):
// 'compiled' measures them so; 'compiled_caller_env' keeps the caller's value, as a user typing
// `imp task` gets (only when it is set here: Node loads that file at every start).
const asRun = { NODE_EXTRA_CA_CERTS: '' };
const modes: [string, Record<string, string>][] = [
  ['compiled', asRun],
  ...(process.env.NODE_EXTRA_CA_CERTS ? [['compiled_caller_env', {}] as [string, Record<string, string>]] : []),
  ['compiled_no_code_cache', { ...asRun, IMP_CODE_CACHE: '0' }],
  ['tsx', { ...asRun, IMP_TSX: '1' }],
];
for (const [mode, extra] of modes) {
  result[mode] = {};
  for (const task of ['mask-L1', 'rewind-L1']) {
    const xs = Array.from({ length: ROUNDS }, () => startupMs(task, extra));
    const key = task.replace(/-L1$/, '');
    result[mode][`${key}_ms`] = Number(median(xs.map((x) => x.wall)).toFixed(1));
    result[mode][`${key}_cpu_ms`] = median(xs.map((x) => x.cpu));
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ rounds: ROUNDS, startup_to_first_work: result, goal_ms: 300 }));
