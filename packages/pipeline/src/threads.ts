import { availableParallelism } from 'node:os';
import type { PlannedTask } from './plan.ts';

/** Cores `imp run` schedules over: IMP_CORES if set (tests, shared machines), else the machine's. */
export function coresAvailable(): number {
  const env = Number(process.env.IMP_CORES);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

/**
 * Widest hidden layer a training run may have and still be "the small net": the engine
 * trains it on one thread (its matrices are too small for a second thread to pay).
 */
export const SMALL_NET_MAX_WIDTH = 300;

/** Package stages that never use more than the JavaScript thread. */
const ONE_THREAD = new Set(['mask', 'rewind', 'report', 'compare', 'findings-page']);

/**
 * Threads one task uses, at most `cores`. A stage's own declaration wins (a `threads`
 * number or function of its config on the StageDef, or `threads` in an external
 * command's `--describe`). Otherwise: mask, rewind and report are plain JavaScript (1);
 * training a net no wider than SMALL_NET_MAX_WIDTH uses 1; data, analysis, bigger nets
 * and undeclared external commands are assumed to use every core.
 */
export function taskThreads(t: PlannedTask, cores = coresAvailable()): number {
  const declared = t.stage.threads?.(t.parsedConfig);
  if (typeof declared === 'number' && Number.isFinite(declared) && declared >= 1)
    return Math.min(cores, Math.floor(declared));
  if (t.stage.def && ONE_THREAD.has(t.stage.name)) return 1;
  if (t.stage.def && t.stage.name === 'train') {
    const arch = String((t.parsedConfig as { arch?: unknown }).arch ?? '');
    const widths = [...arch.matchAll(/f(\d+)/g)].map((m) => Number(m[1]));
    if (widths.length && Math.max(...widths) <= SMALL_NET_MAX_WIDTH) return 1;
  }
  return cores;
}

export interface Schedule {
  /** Nx's --parallel: how many tasks may run at once. */
  parallel: number;
  /** Tasks that need every core run alone (Nx `parallelism: false`). */
  exclusive: Set<string>;
  /** Threads granted to each task (IMP_THREADS in its environment). */
  threads: Map<string, number>;
}

/**
 * The default schedule: tasks needing every core run alone; the others run
 * floor(cores / the largest need among them) at a time, so the cores are never
 * oversubscribed. `--parallel N` overrides the count (and runs nothing alone).
 */
export function schedule(
  tasks: { key: string; task: PlannedTask }[],
  cores = coresAvailable(),
  override?: number,
): Schedule {
  const threads = new Map(tasks.map(({ key, task }) => [key, taskThreads(task, cores)]));
  if (override) return { parallel: override, exclusive: new Set(), threads };
  const exclusive = new Set([...threads].filter(([, n]) => n >= cores).map(([k]) => k));
  const shared = [...threads].filter(([k]) => !exclusive.has(k)).map(([, n]) => n);
  const parallel = shared.length ? Math.max(1, Math.floor(cores / Math.max(...shared))) : 1;
  return { parallel, exclusive, threads };
}
