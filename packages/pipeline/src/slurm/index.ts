// The Slurm executor: one job per stage task, afterok edges from the DAG, status from
// squeue and the jobs' own exit records (docs/schedulers.md).
export * from './resources.ts';
export * from './sbatch.ts';
export * from './records.ts';
export * from './job-script.ts';
export * from './units.ts';
export * from './submit.ts';
export * from './status.ts';
export * from './cancel.ts';
export * from './watch.ts';
