import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { execa } from 'execa';
import { ConfigError, storeRoot, stageCommand, workspaceRoot } from '@imp/artifacts';
import {
  PACKAGE_STAGES,
  comparisonPage,
  diffPlans,
  executeTask,
  planComparison,
  findExperimentFile,
  loadExperimentFile,
  packageStage,
  planExperiment,
  planStatus,
  projectName,
  taskArgv,
  type Comparison,
  type Plan,
} from '@imp/pipeline';
import { table } from './format.ts';

const pipelinesDir = () => join(workspaceRoot(), 'pipelines');
/** The workspace's own Nx, run directly (npx adds half a second to every run). */
const nxBin = () => join(dirname(createRequire(import.meta.url).resolve('nx/package.json')), 'dist', 'bin', 'nx.js');

async function loadPlan(ref: string): Promise<Plan> {
  const loaded = loadExperimentFile(findExperimentFile(ref, pipelinesDir()));
  if (loaded.kind !== 'experiment') throw new ConfigError(`${ref} is a comparison, not an experiment`);
  return planExperiment(loaded.experiment, storeRoot());
}

/** `imp run`: the experiment's DAG through Nx, which skips every stage whose inputs are unchanged. */
async function run(ref: string, opts: { plan?: boolean; json?: boolean; skipNxCache?: boolean; parallel: string }) {
  const file = findExperimentFile(ref, pipelinesDir());
  const loaded = loadExperimentFile(file);
  if (opts.plan) {
    if (loaded.kind !== 'experiment') throw new ConfigError(`--plan takes an experiment, ${ref} is a comparison`);
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
  const name = loaded.kind === 'experiment' ? loaded.experiment.name : loaded.comparison.name;
  const t0 = performance.now();
  const nxArgs = [
    nxBin(),
    'run',
    `${projectName(name)}:run`,
    '--output-style=stream',
    `--parallel=${opts.parallel}`,
    ...(opts.skipNxCache ? ['--skip-nx-cache'] : []),
  ];
  const r = await execa(process.execPath, nxArgs, {
    cwd: workspaceRoot(),
    stdio: 'inherit',
    reject: false,
    // In-process plugins: spawning a worker per plugin costs more than a fully cached run.
    env: {
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_ISOLATE_PLUGINS: 'false',
      NX_SKIP_NX_CACHE: opts.skipNxCache ? 'true' : undefined,
    },
  });
  if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (loaded.kind === 'experiment') {
    const plan = await planExperiment(loaded.experiment, storeRoot());
    const report = plan.tasks.find((t) => t.name === 'report')!;
    const dir = Object.values(report.outputs)[0]!.dir;
    console.log(`\n${name}: done in ${secs} s. Report: ${join(dir, 'index.html')}`);
  } else console.log(`\n${name}: done in ${secs} s.`);
}

/** `imp task`: what each Nx target runs. `--expect` guards against a stale project graph. */
async function task(file: string, taskName: string, opts: { expect?: string }) {
  const loaded = loadExperimentFile(file);
  if (loaded.kind === 'comparison') return runComparison(loaded.comparison);
  const plan = await planExperiment(loaded.experiment, storeRoot());
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

async function status(ref: string, opts: { json?: boolean }) {
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
    .command('run <experiment>')
    .description('run an experiment (name in pipelines/ or a file) through Nx; only changed stages run')
    .option('--plan', 'print each stage command in order instead of running (for external schedulers)')
    .option('--json', 'with --plan: JSON')
    .option('--skip-nx-cache', 'ignore the Nx cache (stages still skip existing artifacts)')
    .option('--parallel <n>', 'stage runs at once (the engine already uses both cores for one)', '1')
    .action(run);
  program
    .command('status <experiment>')
    .description('which stages are done, stale or missing, and why')
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
