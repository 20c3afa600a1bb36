import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, workspaceRoot } from '@imp/artifacts';
import { findExperimentFile } from '@imp/pipeline';
import {
  cancel,
  slurmStatus,
  submit,
  watch,
  type SlurmTaskStatus,
  type SubmitOptions,
} from '@imp/pipeline/slurm/index';
import { table } from './format.ts';

const files = (refs: string[]) => refs.map((r) => findExperimentFile(r, join(workspaceRoot(), 'pipelines')));

const repeat = (v: string, acc: string[]) => [...acc, v];

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--interval: expected seconds > 0, got '${v}'`);
  return n;
}

export interface SlurmSubmitFlags {
  partition?: string;
  account?: string;
  qos?: string;
  sbatchArg: string[];
  watch?: boolean;
  interval: number;
  json?: boolean;
}

/**
 * `imp slurm submit`: what `imp run <exp…> --executor slurm` routes to. Prints one line
 * per task, then (with --watch) one per state change; exits 1 if anything failed.
 */
export async function slurmSubmitCommand(refs: string[], o: SlurmSubmitFlags) {
  const paths = files(refs);
  const opts: SubmitOptions = {
    ...(o.partition ? { partition: o.partition } : {}),
    ...(o.account ? { account: o.account } : {}),
    ...(o.qos ? { qos: o.qos } : {}),
    sbatchArgs: o.sbatchArg,
  };
  const r = await submit(paths, opts);
  if (o.json) console.log(JSON.stringify(r, null, 2));
  else {
    for (const t of r.tasks)
      console.log(
        `${t.experiment}--${t.task}: ${
          t.action === 'done'
            ? 'done (artifacts exist), not submitted'
            : t.action === 'submitted'
              ? `submitted job ${t.jobId}${t.after.length ? ` after ${t.after.join(',')}` : ''}`
              : t.action === 'shared'
                ? `shares job ${t.jobId}`
                : `already queued or running as job ${t.jobId}`
        }`,
      );
    console.log(`${r.submitted} job(s) submitted; logs in <store>/.slurm/<experiment>/<task>.out`);
  }
  if (o.watch) {
    const w = await watch(paths, { interval: o.interval });
    report(w.tasks);
    if (!w.ok) process.exitCode = 1;
  }
}

function report(st: SlurmTaskStatus[]) {
  const n = (k: string) => st.filter((s) => s.state === k).length;
  console.log(
    `${n('done')} done, ${n('running')} running, ${n('queued')} queued, ${n('failed')} failed, ${n('cancelled')} cancelled, ${n('unsubmitted')} unsubmitted`,
  );
  for (const s of st.filter((x) => x.state === 'failed')) console.log(`FAILED ${s.experiment}--${s.task}: ${s.why}`);
}

/** `imp slurm status`: what `imp status <exp…> --executor slurm` routes to. Exits 1 if anything failed. */
export async function slurmStatusCommand(refs: string[], o: { json?: boolean; watch?: boolean; interval: number }) {
  const paths = files(refs);
  if (o.watch) {
    const w = await watch(paths, { interval: o.interval });
    report(w.tasks);
    if (!w.ok) process.exitCode = 1;
    return;
  }
  const st = await slurmStatus(paths);
  if (o.json) console.log(JSON.stringify(st, null, 2));
  else {
    console.log(
      table(
        ['task', 'state', 'job', 'why'],
        st.tasks.map((s) => [`${s.experiment}--${s.task}`, s.state, s.jobId ?? '-', s.why]),
      ),
    );
    report(st.tasks);
    if (st.cancelled.length) console.log(`cancelled the dependents of failed tasks: jobs ${st.cancelled.join(', ')}`);
  }
  if (st.tasks.some((s) => s.state === 'failed')) process.exitCode = 1;
}

export async function slurmCancelCommand(refs: string[]) {
  const hits = await cancel(files(refs));
  for (const h of hits) console.log(`${h.experiment}--${h.task}: cancelled job ${h.jobId}`);
  console.log(`${new Set(hits.map((h) => h.jobId)).size} job(s) cancelled`);
}

export function addSlurmCommands(program: Command) {
  program
    .command('cancel <experiment...>')
    .description("cancel every queued or running Slurm job of these experiments (see 'imp slurm')")
    .action(slurmCancelCommand);
  const slurm = program
    .command('slurm')
    .description('run experiments on a Slurm cluster: one job per stage, afterok edges (docs/schedulers.md)');
  slurm
    .command('submit <experiment...>')
    .description(
      'submit every stage not yet done (and not already queued) as a Slurm job; shared stages are submitted once',
    )
    .option('--partition <name>', 'sbatch --partition (over the experiment file)')
    .option('--account <name>', 'sbatch --account (over the experiment file)')
    .option('--qos <name>', 'sbatch --qos (over the experiment file)')
    .option('--sbatch-arg <flag>', 'an extra sbatch flag, e.g. --sbatch-arg=--constraint=avx2 (repeatable)', repeat, [])
    .option('--watch', 'then poll until every job ended, one line per state change; exit 1 if anything failed')
    .option('--interval <seconds>', 'with --watch: seconds between polls', seconds, 10)
    .option('--json', 'print the submission as JSON')
    .action(slurmSubmitCommand);
  slurm
    .command('status <experiment...>')
    .description('each stage as queued, running, done, failed or cancelled; cancels the dependents of failed ones')
    .option('--json')
    .option('--watch', 'poll until every job ended, one line per state change')
    .option('--interval <seconds>', 'with --watch: seconds between polls', seconds, 10)
    .action(slurmStatusCommand);
  slurm.command('cancel <experiment...>').description('same as imp cancel').action(slurmCancelCommand);
}
