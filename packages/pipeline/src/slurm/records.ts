import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * Where the executor keeps what it knows about an experiment's jobs, next to the store
 * (which every node sees):
 *
 *   <store>/.slurm/<experiment>/jobs.json     task → job id, output ids, log, submitted at
 *   <store>/.slurm/<experiment>/<task>.sh     the job script
 *   <store>/.slurm/<experiment>/<task>.out    its stdout and stderr
 *   <store>/.slurm/<experiment>/<task>.exit   written by the job as it ends: exit code, start and end times
 *
 * A stage shared by several experiments runs as one job, under the first experiment
 * submitted; the others' jobs.json point at that job's files.
 */
export const slurmDir = (store: string, experiment: string) => join(store, '.slurm', experiment);
export const jobsFile = (store: string, experiment: string) => join(slurmDir(store, experiment), 'jobs.json');

export const JobRecord = z.object({
  task: z.string(),
  jobId: z.string(),
  /** `<experiment>--<task>` of the experiment that submitted it (checked against squeue). */
  jobName: z.string(),
  outputs: z.array(z.string()),
  log: z.string(),
  exitFile: z.string(),
  script: z.string(),
  submittedAt: z.string(),
});
export type JobRecord = z.infer<typeof JobRecord>;

export const JobsFile = z.object({
  experiment: z.string(),
  file: z.string(),
  store: z.string(),
  updatedAt: z.string(),
  tasks: z.record(z.string(), JobRecord),
});
export type JobsFile = z.infer<typeof JobsFile>;

/** What the job script writes as it ends (times in ms since the epoch). */
export const ExitRecord = z.object({
  task: z.string(),
  jobId: z.string(),
  exitCode: z.number().int(),
  startedAt: z.number(),
  endedAt: z.number(),
  host: z.string(),
});
export type ExitRecord = z.infer<typeof ExitRecord>;

/** Write-then-rename, so a reader on another node never sees half a file. */
export function writeJsonAtomic(path: string, value: unknown) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

function readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(path)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message}); delete it to forget those jobs`, { cause: e });
  }
  const r = schema.safeParse(v);
  if (!r.success) throw new Error(`${path}: not a record the Slurm executor wrote (${r.error.issues[0]?.message})`);
  return r.data;
}

export const readJobs = (store: string, experiment: string) => readJson(jobsFile(store, experiment), JobsFile);
export const readExit = (path: string) => readJson(path, ExitRecord);
