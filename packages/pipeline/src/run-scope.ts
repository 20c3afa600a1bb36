import { findExperimentFile, loadExperimentFile } from './load-experiment.ts';
import { planExperiment, type PlannedTask } from './plan.ts';
import { planComparison, comparisonPage } from './plan-comparison.ts';
import { findingsPage, findingsTaskDeps, planFindings } from './plan-findings.ts';
import { checkArtifacts, type ArtifactState } from './check-store.ts';
import { taskProject, type ScopedRun } from './nx-nodes.ts';
import { schedule } from './threads.ts';
import { join } from 'node:path';

/** One distinct stage run of an `imp run`: experiments sharing an artifact share its run. */
export interface RunUnit {
  project: string;
  file: string;
  task: PlannedTask;
  dependsOn: string[];
}

export interface RunSet {
  name: string;
  kind: 'experiment' | 'comparison' | 'findings';
  units: RunUnit[];
  /** The page the run ends with (the report's or the comparison's index.html). */
  page: string;
}

const outputKey = (t: PlannedTask) =>
  Object.values(t.outputs)
    .map((o) => o.dir)
    .sort()
    .join('|');

/**
 * Every stage run an experiment (or a comparison and the experiments it compares, or a
 * findings file and the experiments its claims name) needs, deduplicated by artifact: the
 * first experiment planning an artifact owns its run, and the others depend on that run.
 * Plans only these experiments.
 */
export async function collectRuns(file: string, pipelinesDir: string, store: string): Promise<RunSet> {
  const loaded = loadExperimentFile(file);
  const units: RunUnit[] = [];
  const byOutputs = new Map<string, string>();
  const addPlan = (f: string, exp: string, tasks: PlannedTask[]) => {
    const local = new Map<string, string>();
    for (const t of tasks) {
      const key = outputKey(t);
      const owner = byOutputs.get(key);
      if (owner) {
        local.set(t.name, owner);
        continue;
      }
      const project = taskProject(exp, t.name);
      byOutputs.set(key, project);
      local.set(t.name, project);
      units.push({ project, file: f, task: t, dependsOn: t.dependsOn.map((d) => local.get(d)!) });
    }
    return local;
  };
  if (loaded.kind === 'experiment') {
    const plan = await planExperiment(loaded.experiment, store);
    addPlan(loaded.path, plan.experiment.name, plan.tasks);
    const report = plan.tasks.find((t) => t.name === 'report')!;
    return {
      name: plan.experiment.name,
      kind: 'experiment',
      units,
      page: join(Object.values(report.outputs)[0]!.dir, 'index.html'),
    };
  }
  if (loaded.kind === 'findings') {
    const fp = await planFindings(loaded.findings, loaded.path, pipelinesDir, store);
    const local = new Map(
      fp.experiments.map((e) => [e.plan.experiment.name, addPlan(e.file, e.plan.experiment.name, e.plan.tasks)]),
    );
    const name = loaded.findings.name;
    // Each dependency resolves to the project that owns the output (shared stages run once).
    const deps = (t: PlannedTask) => [
      ...new Set(findingsTaskDeps(loaded.findings, t).map(([e, n]) => local.get(e)?.get(n) ?? taskProject(e, n))),
    ];
    for (const t of fp.tasks)
      units.push({ project: taskProject(name, t.name), file: loaded.path, task: t, dependsOn: deps(t) });
    return { name, kind: 'findings', units, page: findingsPage(fp) };
  }
  const c = loaded.comparison;
  const reports: string[] = [];
  for (const e of c.compare) {
    const f = findExperimentFile(e, pipelinesDir);
    const l = loadExperimentFile(f);
    if (l.kind !== 'experiment') throw new Error(`comparison ${c.name}: '${e}' is not an experiment`);
    const plan = await planExperiment(l.experiment, store);
    reports.push(addPlan(f, plan.experiment.name, plan.tasks).get('report')!);
  }
  const t = await planComparison(c, pipelinesDir, store);
  const project = taskProject(c.name, 'compare');
  units.push({ project, file: loaded.path, task: t, dependsOn: [...new Set(reports)] });
  return { name: c.name, kind: 'comparison', units, page: comparisonPage(t) };
}

export interface RunCheck {
  done: RunUnit[];
  pending: RunUnit[];
  /** Artifacts that exist but fail their manifest, by directory: each names the file. */
  corrupt: { dir: string; problem: string }[];
}

/** Which runs are done (every output present and verified) and which must run. */
export async function checkRuns(units: RunUnit[], opts: { store: string; full?: boolean }): Promise<RunCheck> {
  const planned = units.flatMap((u) => Object.values(u.task.outputs));
  const states = await checkArtifacts(planned, opts);
  const state = (dir: string) => states.get(dir) as ArtifactState;
  const corrupt = [...states.values()].flatMap((s) =>
    s.state === 'corrupt' ? [{ dir: s.dir, problem: s.problem }] : [],
  );
  const done: RunUnit[] = [];
  const pending: RunUnit[] = [];
  for (const u of units)
    (Object.values(u.task.outputs).every((o) => state(o.dir).state === 'present') ? done : pending).push(u);
  return { done, pending, corrupt };
}

/**
 * The runs handed to Nx: the pending ones, each depending only on pending upstream
 * runs (an upstream whose artifacts exist is not run again), with its thread grant.
 */
export function scopedRuns(pending: RunUnit[], opts: { cores?: number; parallel?: number } = {}) {
  const names = new Set(pending.map((u) => u.project));
  const sched = schedule(
    pending.map((u) => ({ key: u.project, task: u.task })),
    opts.cores,
    opts.parallel,
  );
  const runs: ScopedRun[] = pending.map((u) => ({
    project: u.project,
    file: u.file,
    task: u.task,
    dependsOn: u.dependsOn.filter((d) => names.has(d)),
    threads: sched.threads.get(u.project)!,
    exclusive: sched.exclusive.has(u.project),
  }));
  return { runs, parallel: sched.parallel };
}
