import { join } from 'node:path';
import { ConfigError, plannedOutputs, type PlannedOutput } from '@imp/artifacts';
import { claimedExperiments, Claims } from '@imp/findings/claims';
import type { FindingsFile, StageImpl } from './experiment-schema.ts';
import { findExperimentFile, loadExperimentFile, type LoadedFile } from './load-experiment.ts';
import { planComparison } from './plan-comparison.ts';
import { planExperiment, type Plan, type PlannedTask, type TaskInput } from './plan.ts';
import { stageHandle } from './stage-handle.ts';

/** A findings file, unrolled: the experiments its claims name, and its own two tasks. */
export interface FindingsPlan {
  findings: FindingsFile;
  /** Every experiment the claims name, planned with all its seeds (each with its file). */
  experiments: { file: string; plan: Plan }[];
  /** `findings` (the stage) then `findings-page` (its HTML page). */
  tasks: PlannedTask[];
  store: string;
}

/** One task outside an experiment's chain (its inputs are other plans' outputs). */
async function plannedTask(
  name: string,
  impl: StageImpl,
  config: Record<string, unknown>,
  inputs: Record<string, TaskInput>,
  where: string,
  store: string,
  dependsOn: string[],
): Promise<PlannedTask> {
  const stage = await stageHandle(impl);
  const { config: parsedConfig, outputs } = await stage.resolve(config, where);
  const ids = Object.fromEntries(Object.entries(inputs).map(([r, i]) => [r, i.id]));
  const planned: Record<string, PlannedOutput> = plannedOutputs(stage, parsedConfig, outputs, ids, store);
  return { name, impl, stage, config, parsedConfig, inputs, outputs: planned, dependsOn };
}

const first = (t: PlannedTask) => Object.values(t.outputs)[0]!;

/**
 * Plans a findings file: every experiment its claims name (by name in pipelines/, with
 * all its seeds, which must be at least two: one seed has no confidence interval), the
 * findings task over their aggregates (`aggregate.<experiment>`), and its page.
 */
export async function planFindings(
  f: FindingsFile,
  path: string,
  pipelinesDir: string,
  store: string,
): Promise<FindingsPlan> {
  const claims = Claims.safeParse(f.claims);
  // The findings stage re-validates with the same schema and names the field; this only finds the experiments.
  const names = claims.success ? claimedExperiments(claims.data) : [];
  const experiments: FindingsPlan['experiments'] = [];
  const inputs: Record<string, TaskInput> = {};
  const reports: Record<string, TaskInput> = {};
  for (const name of names) {
    const file = findExperimentFile(name, pipelinesDir);
    const loaded = loadExperimentFile(file);
    if (loaded.kind !== 'experiment')
      throw new ConfigError(`${path}: claims name '${name}', which is not an experiment`);
    const plan = await planExperiment(loaded.experiment, store);
    const agg = plan.tasks.find((t) => t.name === 'aggregate');
    if (!agg)
      throw new ConfigError(
        `${path}: experiment '${name}' (${file}) has ${plan.seeds.length} seed; a finding needs at least two (give it seeds: [0, 1, 2])`,
      );
    experiments.push({ file, plan });
    const o = first(agg);
    inputs[`aggregate.${name}`] = { task: `${name}--aggregate`, role: o.role, id: o.id, dir: o.dir };
    const report = plan.tasks.find((t) => t.name === 'report');
    if (report) {
      const r = first(report);
      reports[`report.${name}`] = { task: `${name}--report`, role: r.role, id: r.id, dir: r.dir };
    }
  }
  const findings = await plannedTask(
    'findings',
    f.stage,
    { ...f.config, claims: f.claims },
    inputs,
    `findings file ${path}`,
    store,
    [],
  );
  const o = first(findings);
  const page = await plannedTask(
    'findings-page',
    f.page,
    { title: f.description || f.name, name: f.name },
    { findings: { task: 'findings', role: o.role, id: o.id, dir: o.dir }, ...reports },
    `findings file ${path} (page)`,
    store,
    ['findings'],
  );
  return { findings: f, experiments, tasks: [findings, page], store };
}

/**
 * The stage runs a findings file's task waits for, as [experiment, task], read off its inputs:
 * `findings` waits for each experiment's aggregate, the page for `findings` and the reports.
 */
export function findingsTaskDeps(f: FindingsFile, t: PlannedTask): [string, string][] {
  const deps = new Map<string, [string, string]>();
  for (const i of Object.values(t.inputs)) {
    const k = i.task.lastIndexOf('--');
    deps.set(i.task, k < 0 ? [f.name, i.task] : [i.task.slice(0, k), i.task.slice(k + 2)]);
  }
  return [...deps.values()];
}

/** The findings page of a plan (`<store>/report-…/index.html`). */
export const findingsPage = (p: FindingsPlan) => join(first(p.tasks[1]!).dir, 'index.html');
/** The findings artifact (table and summary) of a plan. */
export const findingsOutput = (p: FindingsPlan) => first(p.tasks[0]!);

/**
 * The stage runs a pipelines file plans itself, whatever its kind: an experiment's chain, a
 * comparison's page, a findings file's findings and page (not the experiments it names,
 * which their own files plan). For tools that walk every file (pins, gc).
 */
export async function fileTasks(loaded: LoadedFile, pipelinesDir: string, store: string): Promise<PlannedTask[]> {
  if (loaded.kind === 'experiment') return (await planExperiment(loaded.experiment, store)).tasks;
  if (loaded.kind === 'comparison') return [await planComparison(loaded.comparison, pipelinesDir, store)];
  return (await planFindings(loaded.findings, loaded.path, pipelinesDir, store)).tasks;
}

/** A findings file's own tasks with what running one needs (`imp task <findings file> findings`). */
export async function findingsTasks(
  loaded: Extract<LoadedFile, { kind: 'findings' }>,
  pipelinesDir: string,
  store: string,
): Promise<{ store: string; experiment: { name: string }; tasks: PlannedTask[] }> {
  const fp = await planFindings(loaded.findings, loaded.path, pipelinesDir, store);
  return { store, experiment: { name: loaded.findings.name }, tasks: fp.tasks };
}
