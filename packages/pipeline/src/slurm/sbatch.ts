import { execa } from 'execa';

/** One job as squeue shows it. */
export interface QueuedJob {
  id: string;
  name: string;
  /** Slurm's long state name: PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT… */
  state: string;
  /** Why it waits or ended: Dependency, Resources, DependencyNeverSatisfied, NonZeroExitCode… */
  reason: string;
}

/**
 * The three Slurm commands the executor uses. An interface so the submit/status logic
 * can be tested without a cluster (slurm/*.spec.ts) and against a real one (test/slurm.spec.ts).
 */
export interface SlurmClient {
  /** Submits a batch script; returns the job id. */
  sbatch(args: string[], script: string): Promise<string>;
  /** Every job of this user that Slurm still remembers (pending, running, and recently ended). */
  squeue(): Promise<Map<string, QueuedJob>>;
  scancel(ids: string[]): Promise<void>;
}

/** Pending or running: the job will still do something. */
export const isActive = (j: QueuedJob) =>
  ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING'].includes(j.state);

// A field separator that never occurs in squeue's fields, with the job name last so that
// even a foreign job's name containing it cannot shift the other fields.
const SEP = '\u001f';

/** Parses `squeue --noheader --format=%i<SEP>%T<SEP>%r<SEP>%j`. */
export function parseSqueue(stdout: string): Map<string, QueuedJob> {
  const jobs = new Map<string, QueuedJob>();
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const [id, state, reason, ...name] = line.split(SEP);
    if (!id || !state || name.length === 0) throw new Error(`squeue: unexpected line ${JSON.stringify(line)}`);
    jobs.set(id.trim(), { id: id.trim(), state: state.trim(), reason: (reason ?? '').trim(), name: name.join(SEP) });
  }
  return jobs;
}

async function slurm(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await execa(cmd, args, { stdin: 'ignore' });
    return r.stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string };
    if (err.code === 'ENOENT')
      throw new Error(`${cmd} not found: run on a Slurm login node (or put Slurm on PATH)`, { cause: e });
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.shortMessage || String(e)).trim()}`, {
      cause: e,
    });
  }
}

/** The real cluster, through Slurm's own commands (argv arrays, never a shell string). */
export const slurmCommands: SlurmClient = {
  async sbatch(args, script) {
    const out = await slurm('sbatch', ['--parsable', ...args, script]);
    // --parsable prints `<id>` or `<id>;<cluster>`.
    const id = out.trim().split('\n').pop()!.split(';')[0]!.trim();
    if (!/^\d+$/.test(id)) throw new Error(`sbatch ${script}: unexpected answer ${JSON.stringify(out)}`);
    return id;
  },
  async squeue() {
    // Not `squeue --json`: in 22.05 it ignores --me/--jobs/--states and dumps the whole
    // cluster's queue, and it needs the openapi plugin, which many sites do not build.
    // `--states=all` keeps recently ended jobs (for MinJobAge), whose end state we use.
    return parseSqueue(
      await slurm('squeue', ['--me', '--noheader', '--states=all', `--format=%i${SEP}%T${SEP}%r${SEP}%j`]),
    );
  },
  async scancel(ids) {
    if (ids.length) await slurm('scancel', ids);
  },
};
