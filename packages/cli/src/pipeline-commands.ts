import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { slurmStatusCommand, slurmSubmitCommand } from './slurm-commands.ts';
import { ArtifactError, ConfigError, storeRoot, stageCommand, workspaceRoot } from '@imp/artifacts';
import {
  PACKAGE_STAGES,
  SCOPE_TAG,
  checkRuns,
  collectRuns,
  comparisonPage,
  decodeArg,
  diffPlans,
  executeTask,
  findingsTasks,
  planComparison,
  findExperimentFile,
  loadExperimentFile,
  packageStage,
  planExperiment,
  planStatus,
  scopedNodes,
  projectName,
  scopedRuns,
  taskArgv,
  type ProjectNode,
  type Comparison,
  type Plan,
} from '@imp/pipeline';
import { table } from './format.ts';

const pipelinesDir = () => join(workspaceRoot(), 'pipelines');
/** What the page a run ends with is called, by the kind of file run. */
const PAGE_LABEL = { experiment: 'Report', comparison: 'Comparison', findings: 'Findings' } as const;
/** The workspace's own Nx, run directly (npx adds half a second to every run). */
const nxBin = () => join(dirname(createRequire(import.meta.url).resolve('nx/package.json')), 'dist', 'bin', 'nx.js');

async function loadPlan(ref: string): Promise<Plan> {
  const loaded = loadExperimentFile(findExperimentFile(ref, pipelinesDir()));
  if (loaded.kind !== 'experiment') throw new ConfigError(`${ref} is a ${loaded.kind} file, not an experiment`);
  return planExperiment(loaded.experiment, storeRoot());
}

/** `imp run`: the pending part of the experiment's DAG through Nx; the store says what is pending. */
interface RunFlags {
  plan?: boolean;
  json?: boolean;
  parallel?: string;
  verify?: boolean;
  executor?: string;
  watch?: boolean;
  partition?: string;
  account?: string;
  qos?: string;
  sbatchArg?: string[];
}

async function run(ref: string, more: string[], opts: RunFlags) {
  if (opts.executor === 'slurm')
    return slurmSubmitCommand([ref, ...more], {
      sbatchArg: opts.sbatchArg ?? [],
      interval: 10,
      watch: opts.watch,
      partition: opts.partition,
      account: opts.account,
      qos: opts.qos,
    });
  if (opts.executor && opts.executor !== 'nx')
    throw new ConfigError(`--executor: 'nx' or 'slurm', not '${opts.executor}'`);
  if (more.length) throw new ConfigError(`imp run takes one experiment (several only with --executor slurm)`);
  const file = findExperimentFile(ref, pipelinesDir());
  if (opts.plan) {
    const loaded = loadExperimentFile(file);
    if (loaded.kind !== 'experiment')
      throw new ConfigError(`--plan takes an experiment, ${ref} is a ${loaded.kind} file`);
    const plan = await planExperiment(loaded.experiment, storeRoot());
    const steps = plan.tasks.map((t) => ({
      task: t.name,
      stage: t.stage.name,
      dependsOn: t.dependsOn,
      outputs: Object.fromEntries(Object.entries(t.outputs).map(([r, o]) => [r, o.dir])),
      argv: taskArgv(t, plan.store),
    }));
    if (opts.json)
      return console.log(JSON.stringify({ experiment: plan.experiment.name, store: plan.store, steps }, null, 2));
    for (const s of steps)
      console.log(
        `# ${s.task}  (after: ${s.dependsOn.join(', ') || '-'})\n${s.argv.map((a) => (/[\s"'{}]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a)).join(' ')}\n`,
      );
    return;
  }
  const parallel = opts.parallel === undefined ? undefined : Number(opts.parallel);
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1))
    throw new ConfigError(`--parallel: expected a whole number ≥ 1, got '${opts.parallel}'`);
  const t0 = performance.now();
  const store = storeRoot();
  const set = await collectRuns(file, pipelinesDir(), store);
  const before = await checkRuns(set.units, { store, full: opts.verify });
  failIfCorrupt(before.corrupt);
  const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
  if (before.pending.length === 0) {
    console.log(
      `${set.name}: all ${set.units.length} stage runs up to date (artifacts present and ${opts.verify ? 'hashed' : 'verified'}) in ${secs()} s.`,
    );
    return console.log(`${PAGE_LABEL[set.kind]}: ${set.page}`);
  }
  const { runs, parallel: p } = scopedRuns(before.pending, { parallel });
  console.log(
    `${set.name}: ${runs.length} of ${set.units.length} stage runs to do (${listSome(runs.map((r) => r.project))}); up to ${p} at once`,
  );
  const code = await runNx(scopedNodes(runs, workspaceRoot()), [
    'run-many',
    '--targets=run',
    `--projects=tag:${SCOPE_TAG}`,
    '--output-style=stream',
    `--parallel=${p}`,
  ]);
  if (code > 128) process.exit(code); // killed: stop at once, the group is gone
  const after = await checkRuns(set.units, { store });
  failIfCorrupt(after.corrupt);
  if (code !== 0) process.exit(code);
  if (after.pending.length)
    throw new ConfigError(
      `${set.name}: Nx reported success but these stage runs left artifacts missing: ${after.pending.map((u) => u.project).join(', ')}`,
    );
  console.log(`\n${set.name}: done in ${secs()} s. ${PAGE_LABEL[set.kind]}: ${set.page}`);
}

function failIfCorrupt(corrupt: { dir: string; problem: string }[]) {
  if (!corrupt.length) return;
  for (const c of corrupt) console.error(`imp run: ${c.problem}`);
  throw new ArtifactError(
    `${corrupt.length} artifact(s) in the store do not match their manifests; nothing was run. ` +
      `Delete them to recompute them: rm -rf ${corrupt.map((c) => c.dir).join(' ')}`,
    'checksum-mismatch',
    corrupt[0]!.dir,
  );
}

/**
 * Nx and the stage processes make no TLS connection, yet Node loads NODE_EXTRA_CA_CERTS at
 * every start: with this machine's system bundle that is 50-120 ms of each stage process's
 * ~0.3 s start (bench:startup). They get it empty; the value moves to IMP_EXTRA_CA_CERTS, which
 * executeTask gives back to external stage commands (they may need it).
 */
function withoutExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ca = env.NODE_EXTRA_CA_CERTS;
  return ca ? { NODE_EXTRA_CA_CERTS: '', IMP_EXTRA_CA_CERTS: ca } : {};
}

/**
 * Runs the given stage runs through the workspace's Nx, which orders and schedules them.
 * Nx gets its own process group: SIGINT/SIGTERM/SIGHUP sent to `imp run` go to the
 * whole group (Nx, the shells it starts, the stage processes), so nothing outlives it.
 */
async function runNx(projects: ProjectNode[], nxArgs: string[]): Promise<number> {
  const root = workspaceRoot();
  const dir = join(root, '.nx', 'workspace-data', 'imp-scope');
  mkdirSync(dir, { recursive: true });
  const scope = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(scope, JSON.stringify({ projects }));
  const child = spawn(process.execPath, [nxBin(), ...nxArgs], {
    cwd: root,
    stdio: 'inherit',
    detached: true,
    env: {
      ...process.env,
      ...withoutExtraCaCerts(process.env),
      IMP_NX_SCOPE: scope,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      // In-process plugins: spawning a worker per plugin costs more than the graph itself.
      NX_ISOLATE_PLUGINS: 'false',
      // Plain child processes, not pseudo-terminals (which start new sessions and so
      // would escape the process group the signals are sent to).
      NX_NATIVE_COMMAND_RUNNER: 'false',
    },
  });
  const forward = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // The group is already gone.
    }
  };
  const disarm = orphanWatchdog(child.pid!);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let received: NodeJS.Signals | undefined;
  const handlers = signals.map((sig) => {
    const h = () => {
      received = sig;
      forward(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
      child.on('error', rej);
      child.on('exit', (c, s) => res([c, s]));
    });
    // Stragglers of a killed run (a stage between Nx's signal and its exit) go too.
    if (received) forward('SIGKILL');
    const s = received ?? sig;
    return s ? 128 + (osConstants.signals[s] ?? 1) : (code ?? 1);
  } finally {
    disarm();
    for (const [sig, h] of handlers) process.off(sig, h);
    rmSync(scope, { force: true });
  }
}

/**
 * `kill -9` of `imp run` cannot be forwarded, and would leave Nx and its stage processes
 * running as orphans. So a tiny shell in its own process group holds a pipe from us: when we
 * die by any signal the pipe closes, and it sends SIGTERM, then SIGKILL, to Nx's group. A
 * normal end writes `done` first, so the watchdog exits without touching anything.
 */
function orphanWatchdog(group: number): () => void {
  const script = `read -r x; [ "$x" = done ] && exit 0; kill -TERM -${group} 2>/dev/null; sleep 2; kill -KILL -${group} 2>/dev/null; exit 0`;
  const dog = spawn('sh', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  dog.on('error', () => {}); // no sh: only this safety net is lost
  dog.stdin!.on('error', () => {});
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  return () => dog.stdin!.end('done\n');
}

/**
 * `imp graph`: `nx graph --focus=exp-<name>` over a graph of just this experiment (or
 * comparison), every stage run included: as fast at 250 experiment files as at one.
 */
async function graph(ref: string, opts: { file?: string }) {
  const set = await collectRuns(findExperimentFile(ref, pipelinesDir()), pipelinesDir(), storeRoot());
  const { runs } = scopedRuns(set.units);
  const nodes = scopedNodes(runs, workspaceRoot());
  const sinks = runs.filter((r) => !runs.some((o) => o.dependsOn.includes(r.project))).map((r) => r.project);
  nodes.push({
    name: projectName(set.name),
    root: `pipelines/.imp-run/${projectName(set.name)}`,
    tags: [SCOPE_TAG],
    metadata: { impDependsOn: sinks },
    targets: { run: { executor: 'nx:noop', dependsOn: ['^run'], inputs: [], cache: false } },
  });
  const code = await runNx(nodes, [
    'graph',
    `--focus=${projectName(set.name)}`,
    ...(opts.file ? [`--file=${opts.file}`] : []),
  ]);
  if (code !== 0) process.exit(code);
}

/** `imp task`: what each Nx target runs. `--expect` guards against a stale project graph. */
async function task(file: string, taskName: string, opts: { expect?: string; encoded?: boolean }) {
  if (opts.encoded) [file, taskName] = [decodeArg(file), decodeArg(taskName)];
  const loaded = loadExperimentFile(file);
  if (loaded.kind === 'comparison') return runComparison(loaded.comparison);
  const plan =
    loaded.kind === 'findings'
      ? await findingsTasks(loaded, pipelinesDir(), storeRoot())
      : await planExperiment(loaded.experiment, storeRoot());
  const t = plan.tasks.find((x) => x.name === taskName);
  if (!t)
    throw new ConfigError(
      `${basename(file)} has no task '${taskName}' (tasks: ${plan.tasks.map((x) => x.name).join(', ')})`,
    );
  const ids = Object.values(t.outputs)
    .map((o) => o.id.slice(0, 20))
    .join(',');
  if (opts.expect && opts.expect !== ids)
    throw new ConfigError(
      `task ${taskName}: the Nx graph is stale (expected ${opts.expect}, plan gives ${ids}); rerun`,
    );
  const r = await executeTask(plan, t);
  console.log(
    `${taskName}: ${r.skipped ? 'up to date (content-addressed artifact exists)' : 'done'} → ${Object.values(t.outputs)
      .map((o) => basename(o.dir))
      .join(', ')}`,
  );
}

async function runComparison(c: Comparison) {
  const t = await planComparison(c, pipelinesDir(), storeRoot());
  await executeTask({ store: storeRoot(), experiment: { name: c.name } }, t);
  console.log(`compare ${c.name} → ${comparisonPage(t)}`);
}

async function status(ref: string, more: string[], opts: { json?: boolean; executor?: string }) {
  if (opts.executor === 'slurm') return slurmStatusCommand([ref, ...more], { json: opts.json, interval: 10 });
  if (more.length) throw new ConfigError(`imp status takes one experiment (several only with --executor slurm)`);
  const plan = await loadPlan(ref);
  const st = planStatus(plan);
  if (opts.json) return console.log(JSON.stringify(st, null, 2));
  console.log(
    table(
      ['task', 'state', 'why'],
      st.map((s) => [s.task, s.state, s.why]),
    ),
  );
  const n = (k: string) => st.filter((s) => s.state === k).length;
  console.log(`${n('done')} done, ${n('stale')} stale, ${n('missing')} missing`);
}

async function diff(a: string, b: string, opts: { json?: boolean }) {
  const d = diffPlans(await loadPlan(a), await loadPlan(b));
  if (opts.json) return console.log(JSON.stringify(d, null, 2));
  for (const x of d) {
    if (x.same) console.log(`  same     ${x.task}`);
    else
      console.log(
        `  differs  ${x.task}${x.impl ? `  implementation ${x.impl}` : ''}${x.keys.length ? `  config: ${x.keys.join('; ')}` : ''}${x.upstream.length && !x.keys.length ? `  upstream: ${x.upstream.slice(0, 4).join(', ')}${x.upstream.length > 4 ? ', …' : ''}` : ''}`,
      );
  }
  console.log(`${d.filter((x) => x.same).length} shared, ${d.filter((x) => !x.same).length} differ`);
}

export function addPipelineCommands(program: Command) {
  program
    .command('run <experiment> [more...]')
    .description('run an experiment (name in pipelines/ or a file) through Nx; only changed stages run')
    .option('--executor <name>', 'nx (default: this machine) or slurm (one job per stage run; several experiments)')
    .option('--watch', 'with --executor slurm: follow the jobs until they end')
    .option('--partition <p>', 'with --executor slurm')
    .option('--account <a>', 'with --executor slurm')
    .option('--qos <q>', 'with --executor slurm')
    .option(
      '--sbatch-arg <flag>',
      'with --executor slurm: extra sbatch flag (repeatable)',
      (v: string, a: string[] = []) => [...a, v],
    )
    .option('--plan', 'print each stage command in order instead of running (for external schedulers)')
    .option('--json', 'with --plan: JSON')
    .option('--verify', 'hash every file of every planned artifact (default: files whose stat changed)')
    .option('--parallel <n>', "stage runs at once (default: from the cores and each stage's thread need)")
    .action(run);
  program
    .command('graph <experiment>')
    .description("nx graph of one experiment's stage runs (nx graph --focus over just that experiment)")
    .option('--file <out>', 'write the graph to a file (.json or .html) instead of serving it')
    .action(graph);
  program
    .command('status <experiment> [more...]')
    .description('which stages are done, stale or missing, and why')
    .option('--executor <name>', 'slurm: the jobs of `imp run --executor slurm` (queued, running, done, failed)')
    .option('--json')
    .action(status);
  program
    .command('diff <expA> <expB>')
    .description('which stages differ between two experiments, and in which config keys')
    .option('--json')
    .action(diff);
  program
    .command('task <file> <task>')
    .description('run one planned task of an experiment (what the Nx targets call)')
    .option('--expect <ids>', 'the output ids the Nx graph planned')
    .option('--encoded', 'the file and task arguments are percent-encoded (what Nx targets pass)')
    .action(task);
  const stage = program
    .command('stage')
    .description(`run one stage directly on artifacts (${PACKAGE_STAGES.join(', ')}); see imp stage <name> --help`);
  for (const name of PACKAGE_STAGES)
    stage
      .command(name)
      .description(`the ${name} stage`)
      .allowUnknownOption()
      .helpOption(false)
      .argument('[args...]')
      .action(async () => {
        const def = await packageStage(name);
        const argv = process.argv.slice(process.argv.indexOf(name) + 1);
        await stageCommand(def).parseAsync(argv, { from: 'user' });
      });
}

/** The first few names and a count: a findings run has thousands of stage runs (imp status lists them all). */
function listSome(names: string[], shown = 6): string {
  return names.length <= shown
    ? names.join(', ')
    : `${names.slice(0, shown).join(', ')} and ${names.length - shown} more; imp status lists them`;
}
