import { setTimeout as sleep } from 'node:timers/promises';
import { slurmStatus, type SlurmTaskStatus, type StatusOptions } from './status.ts';

export interface WatchOptions extends StatusOptions {
  /** Seconds between polls (default 10; squeue is cheap, but a busy controller is shared). */
  interval?: number;
  /** One line per state change (default: console.log). */
  print?: (line: string) => void;
}

/** `imp slurm submit --watch` and `imp slurm status --watch` print these. */
export const statusLine = (s: SlurmTaskStatus, from?: string) =>
  `${s.experiment}--${s.task}: ${from ? `${from} → ` : ''}${s.state}${s.jobId ? ` (job ${s.jobId})` : ''}${
    s.state === 'done' && !from ? '' : ` ${s.why}`
  }`;

/**
 * Polls until no job of these experiments is queued or running, printing one line per
 * state change; returns the final states and whether every task is done. Failed tasks'
 * dependents are cancelled as they are found (see slurmStatus).
 */
export async function watch(
  files: string[],
  opts: WatchOptions = {},
): Promise<{ ok: boolean; tasks: SlurmTaskStatus[] }> {
  const print = opts.print ?? ((l: string) => console.log(l));
  const last = new Map<string, string>();
  for (;;) {
    const { tasks } = await slurmStatus(files, opts);
    for (const s of tasks) {
      const k = `${s.experiment}--${s.task}`;
      const before = last.get(k);
      if (before !== s.state) print(statusLine(s, before));
      last.set(k, s.state);
    }
    if (!tasks.some((s) => s.state === 'queued' || s.state === 'running'))
      return { ok: tasks.every((s) => s.state === 'done'), tasks };
    await sleep((opts.interval ?? 10) * 1000);
  }
}
