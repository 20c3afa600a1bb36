import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { storeRoot, workspaceRoot } from '@imp/artifacts';
import { jobScript } from './job-script.ts';
import { jobsFile, readJobs, slurmDir, writeJsonAtomic, type JobRecord, type JobsFile } from './records.ts';
import { resourceArgs, type SlurmOverrides } from './resources.ts';
import { isActive, slurmCommands, type QueuedJob, type SlurmClient } from './sbatch.ts';
import { findTask, isDone, loadUnits, type JobTask, type UnitOptions } from './units.ts';

export interface SubmitOptions extends UnitOptions, SlurmOverrides {
  client?: SlurmClient;
  /** The job's working directory (default: this workspace's root; it must exist on every node). */
  cwd?: string;
  /** The node binary jobs run (default: this process's, which must then exist on every node). */
  node?: string;
}

/** What happened to each task of each experiment. */
export interface SubmittedTask {
  experiment: string;
  task: string;
  /** done: artifacts exist, nothing submitted; queued: already queued or running from an earlier submit. */
  action: 'submitted' | 'shared' | 'queued' | 'done';
  jobId?: string;
  /** Job ids it waits for (afterok). */
  after: string[];
  log?: string;
}

export interface SubmitResult {
  tasks: SubmittedTask[];
  /** Number of sbatch calls made. */
  submitted: number;
}

/** The live job an earlier submit recorded for this task, if Slurm still runs or queues it. */
function liveJob(key: string, previous: Map<string, JobRecord>, queue: Map<string, QueuedJob>): JobRecord | undefined {
  const rec = previous.get(key);
  if (!rec) return undefined;
  const q = queue.get(rec.jobId);
  // The name check guards against a restarted controller reusing job ids.
  return q && q.name === rec.jobName && isActive(q) && q.reason !== 'DependencyNeverSatisfied' ? rec : undefined;
}

/**
 * Submits the stage DAGs of several experiments as Slurm jobs: one job per task, with
 * `afterok` edges from the DAG. A task whose artifacts exist is not submitted, and a task
 * already queued or running from an earlier submit is not submitted again; its dependents
 * wait for that job. Experiments sharing a stage (same artifact ids: the same data, the
 * same dense level 0) get one job for it. Jobs run `imp task <file> <task> --expect <ids>`
 * with this checkout's imp and the same IMP_STORE.
 */
export async function submit(files: string[], opts: SubmitOptions = {}): Promise<SubmitResult> {
  const client = opts.client ?? slurmCommands;
  const store = storeRoot(opts.store);
  const units = await loadUnits(files, { ...opts, store });
  const queue = await client.squeue();

  // Earlier submissions of any of these experiments, by task key.
  const previous = new Map<string, JobRecord>();
  const records = new Map<string, JobsFile>();
  for (const u of units) {
    const old = readJobs(store, u.name);
    records.set(u.name, {
      experiment: u.name,
      file: u.file,
      store,
      updatedAt: new Date().toISOString(),
      tasks: { ...old?.tasks },
    });
    for (const rec of Object.values(old?.tasks ?? {})) previous.set(rec.outputs.join('+'), rec);
  }

  const jobs = new Map<string, JobRecord | 'done'>(); // task key → its job, or done
  const out: SubmittedTask[] = [];
  let submitted = 0;
  const cwd = opts.cwd ?? workspaceRoot();
  try {
    for (const u of units) {
      const rec = records.get(u.name)!;
      for (const t of u.tasks) {
        const known = jobs.get(t.key);
        if (known === 'done' || (!known && isDone(t))) {
          jobs.set(t.key, 'done');
          out.push({ experiment: u.name, task: t.name, action: 'done', after: [] });
          continue;
        }
        if (known) {
          rec.tasks[t.name] = { ...known, task: t.name };
          out.push({
            experiment: u.name,
            task: t.name,
            action: 'shared',
            jobId: known.jobId,
            after: [],
            log: known.log,
          });
          continue;
        }
        const live = liveJob(t.key, previous, queue);
        if (live) {
          jobs.set(t.key, live);
          rec.tasks[t.name] = { ...live, task: t.name };
          out.push({ experiment: u.name, task: t.name, action: 'queued', jobId: live.jobId, after: [], log: live.log });
          continue;
        }
        const after = t.deps
          .map((d) => jobs.get(findTask(units, d).key))
          .filter((j): j is JobRecord => j !== undefined && j !== 'done')
          .map((j) => j.jobId);
        const job = await submitOne(client, u.name, u.file, t, [...new Set(after)], {
          ...opts,
          store,
          cwd,
          resources: resourceArgs(t.name, u.settings, opts),
        });
        submitted++;
        jobs.set(t.key, job);
        rec.tasks[t.name] = job;
        out.push({ experiment: u.name, task: t.name, action: 'submitted', jobId: job.jobId, after, log: job.log });
      }
    }
  } finally {
    // Written even when an sbatch fails half-way, so a retry never submits a job twice.
    for (const rec of records.values()) {
      rec.updatedAt = new Date().toISOString();
      writeJsonAtomic(jobsFile(store, rec.experiment), rec);
    }
  }
  return { tasks: out, submitted };
}

async function submitOne(
  client: SlurmClient,
  experiment: string,
  file: string,
  t: JobTask,
  after: string[],
  o: { store: string; cwd: string; node?: string; resources: string[] },
): Promise<JobRecord> {
  const dir = slurmDir(o.store, experiment);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, t.name);
  const rec = {
    log: `${base}.out`,
    exitFile: `${base}.exit`,
    script: `${base}.sh`,
  };
  // An exit record from an earlier, failed run of this task would be read as this job's end.
  rmSync(rec.exitFile, { force: true });
  writeFileSync(
    rec.script,
    jobScript({
      experiment,
      experimentFile: file,
      task: t.name,
      ...(t.expect ? { expect: t.expect } : {}),
      store: o.store,
      exitFile: rec.exitFile,
      ...(o.node ? { node: o.node } : {}),
    }),
  );
  chmodSync(rec.script, 0o755);
  const jobName = `${experiment}--${t.name}`;
  const args = [
    `--job-name=${jobName}`,
    `--output=${rec.log}`,
    `--chdir=${o.cwd}`,
    ...(after.length ? [`--dependency=afterok:${after.join(':')}`, '--kill-on-invalid-dep=yes'] : []),
    ...o.resources,
  ];
  const jobId = await client.sbatch(args, rec.script);
  return {
    task: t.name,
    jobId,
    jobName,
    outputs: t.outputIds,
    ...rec,
    submittedAt: new Date().toISOString(),
  };
}
