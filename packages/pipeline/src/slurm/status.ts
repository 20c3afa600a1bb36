import { storeRoot } from '@imp/artifacts';
import { readExit, readJobs, type JobRecord } from './records.ts';
import { isActive, slurmCommands, type QueuedJob, type SlurmClient } from './sbatch.ts';
import { isDone, loadUnits, type JobTask, type JobUnit, type UnitOptions } from './units.ts';

export type SlurmState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'unsubmitted';

export interface SlurmTaskStatus {
  experiment: string;
  task: string;
  state: SlurmState;
  why: string;
  jobId?: string;
  log?: string;
  /** From the job's exit record (ms since the epoch), when it has one. */
  startedAt?: number;
  endedAt?: number;
}

export interface StatusOptions extends UnitOptions {
  client?: SlurmClient;
  /**
   * Cancel the queued dependents of a failed task (default true). Slurm would leave them
   * pending forever (reason DependencyNeverSatisfied) unless --kill-on-invalid-dep was
   * given, and a job submitted by hand or by an older version may lack it.
   */
  cancelDependents?: boolean;
}

export interface SlurmStatus {
  tasks: SlurmTaskStatus[];
  /** Job ids this call cancelled because something upstream failed. */
  cancelled: string[];
}

/** One task's state from squeue (while Slurm remembers the job) and its exit record. */
function jobState(t: JobTask, rec: JobRecord | undefined, queue: Map<string, QueuedJob>): SlurmTaskStatus {
  const base = { experiment: t.experiment, task: t.name };
  if (isDone(t)) return { ...base, state: 'done', why: 'artifacts present', ...(rec ? { jobId: rec.jobId } : {}) };
  if (!rec) return { ...base, state: 'unsubmitted', why: 'never submitted' };
  const job = { jobId: rec.jobId, log: rec.log };
  const q0 = queue.get(rec.jobId);
  const q = q0 && q0.name === rec.jobName ? q0 : undefined;
  if (q && (q.state === 'PENDING' || q.state === 'REQUEUED') && q.reason !== 'DependencyNeverSatisfied')
    return { ...base, ...job, state: 'queued', why: `pending (${q.reason})` };
  if (q && isActive(q) && q.state !== 'PENDING')
    return { ...base, ...job, state: 'running', why: q.state.toLowerCase() };
  if (q?.reason === 'DependencyNeverSatisfied')
    return { ...base, ...job, state: 'cancelled', why: 'an upstream job failed (DependencyNeverSatisfied)' };
  const exit = readExit(rec.exitFile);
  if (exit && exit.jobId === rec.jobId) {
    const times = { startedAt: exit.startedAt, endedAt: exit.endedAt };
    if (exit.exitCode === 0)
      return {
        ...base,
        ...job,
        ...times,
        state: 'failed',
        why: `exited 0 but its artifacts are missing (${t.outputDirs.join(', ')}); log: ${rec.log}`,
      };
    const how = exit.exitCode === 143 ? ' (SIGTERM: cancelled or out of time)' : '';
    return { ...base, ...job, ...times, state: 'failed', why: `exit code ${exit.exitCode}${how}; log: ${rec.log}` };
  }
  if (q?.state === 'CANCELLED') return { ...base, ...job, state: 'cancelled', why: `cancelled (${q.reason})` };
  if (q)
    return {
      ...base,
      ...job,
      state: 'failed',
      why: `job ended ${q.state} (${q.reason}) without an exit record; log: ${rec.log}`,
    };
  return {
    ...base,
    ...job,
    state: 'failed',
    why: `job ${rec.jobId} is gone from squeue and left no exit record (cancelled before it started, killed, or its node failed); log: ${rec.log}`,
  };
}

/** The failed (else cancelled) task upstream of `t` that stops it, if any: the root cause first. */
function brokenUpstream(
  units: JobUnit[],
  t: JobTask,
  states: Map<string, SlurmTaskStatus>,
): SlurmTaskStatus | undefined {
  const upstream: SlurmTaskStatus[] = [];
  const seen = new Set<string>();
  const walk = (x: JobTask) => {
    for (const [e, d] of x.deps) {
      const k = `${e}--${d}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const s = states.get(k);
      if (s) upstream.push(s);
      const up = units.find((u) => u.name === e)?.tasks.find((y) => y.name === d);
      if (up) walk(up);
    }
  };
  walk(t);
  return upstream.find((s) => s.state === 'failed') ?? upstream.find((s) => s.state === 'cancelled');
}

/**
 * Each task of each experiment as queued, running, done, failed, cancelled or
 * unsubmitted. Done needs the artifacts, not just a zero exit code. A failure names its
 * task and log; its still-queued dependents are cancelled here (and reported), so none
 * waits forever.
 */
export async function slurmStatus(files: string[], opts: StatusOptions = {}): Promise<SlurmStatus> {
  const client = opts.client ?? slurmCommands;
  const store = storeRoot(opts.store);
  const units = await loadUnits(files, { ...opts, store });
  const queue = await client.squeue();
  const states = new Map<string, SlurmTaskStatus>();
  for (const u of units) {
    const jobs = readJobs(store, u.name);
    for (const t of u.tasks) states.set(`${u.name}--${t.name}`, jobState(t, jobs?.tasks[t.name], queue));
  }
  const cancel = new Set<string>();
  for (const u of units)
    for (const t of u.tasks) {
      const s = states.get(`${u.name}--${t.name}`)!;
      if (s.state === 'done' || s.state === 'failed') continue;
      const broken = brokenUpstream(units, t, states);
      if (!broken) continue;
      const where = `${broken.experiment}--${broken.task}`;
      if (s.state === 'queued' && s.jobId) cancel.add(s.jobId);
      if (s.state === 'queued' || s.state === 'cancelled' || s.state === 'unsubmitted')
        states.set(`${u.name}--${t.name}`, {
          ...s,
          state: s.state === 'unsubmitted' ? 'unsubmitted' : 'cancelled',
          why: `upstream ${where} ${broken.state}${s.state === 'unsubmitted' ? '' : '; job cancelled'}`,
        });
    }
  const ids = [...cancel];
  if (ids.length && opts.cancelDependents !== false) await client.scancel(ids);
  return { tasks: [...states.values()], cancelled: opts.cancelDependents === false ? [] : ids };
}
