import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ArtifactError, MANIFEST_FILE, runStage } from '@imp/artifacts';
import type { PlannedTask } from './plan.ts';

/** What running a task needs of its plan. */
export interface RunContext {
  store: string;
  experiment: { name: string };
}

/** Where the last run of each task is remembered, for `imp status` ("stale, and why"). */
export function runRecordPath(store: string, experiment: string, task: string): string {
  return join(store, '.runs', experiment, `${task}.json`);
}

function inputDirs(t: PlannedTask): Record<string, string> {
  return Object.fromEntries(Object.entries(t.inputs).map(([role, i]) => [role, i.dir]));
}

/** The argv that runs a task on its own: what `imp run --plan` hands to an external scheduler. */
export function taskArgv(t: PlannedTask, store: string): string[] {
  return [
    ...t.stage.argv,
    '--config',
    JSON.stringify(t.config),
    ...Object.entries(inputDirs(t)).flatMap(([r, d]) => ['--in', `${r}=${d}`]),
    '--store',
    store,
  ];
}

/** Runs one planned task (package stage in-process, or an external command through execa). */
export async function executeTask(plan: RunContext, t: PlannedTask): Promise<{ skipped: boolean }> {
  // `npm run bench:startup` reads this line: milliseconds from process start to the stage's first work.
  if (process.env.IMP_TRACE_STARTUP) {
    const cpu = process.cpuUsage();
    process.stderr.write(
      `startup: ${t.name} starts work at ${performance.now().toFixed(1)} ms (cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)\n`,
    );
  }
  let skipped: boolean;
  if (t.stage.def) {
    const r = await runStage(t.stage.def, { config: t.config, inputs: inputDirs(t), store: plan.store });
    skipped = r.skipped;
    for (const [role, o] of Object.entries(r.outputs))
      if (o.dir !== t.outputs[role]?.dir)
        throw new Error(`task ${t.name}: output ${role} went to ${o.dir}, planned ${t.outputs[role]?.dir}`);
  } else {
    const argv = taskArgv(t, plan.store);
    // imp run emptied NODE_EXTRA_CA_CERTS for its own processes; an external command gets it back.
    const ca = process.env.IMP_EXTRA_CA_CERTS;
    const env = ca ? { NODE_EXTRA_CA_CERTS: ca } : undefined;
    await execa(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env });
    skipped = false;
  }
  for (const o of Object.values(t.outputs))
    if (!existsSync(join(o.dir, MANIFEST_FILE)))
      throw new ArtifactError(
        `task ${t.name}: stage '${t.stage.name}' did not write its planned '${o.role}' output ${o.dir}`,
        'missing-artifact',
        o.dir,
      );
  const rec = runRecordPath(plan.store, plan.experiment.name, t.name);
  mkdirSync(join(rec, '..'), { recursive: true });
  writeFileSync(
    `${rec}.tmp`,
    JSON.stringify(
      {
        task: t.name,
        stage: t.stage.name,
        config: t.parsedConfig,
        inputs: t.inputs,
        outputs: t.outputs,
        at: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  renameSync(`${rec}.tmp`, rec);
  return { skipped };
}
