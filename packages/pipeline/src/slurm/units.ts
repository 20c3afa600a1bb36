import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, MANIFEST_FILE, storeRoot, workspaceRoot } from '@imp/artifacts';
import { findExperimentFile, loadExperimentFile } from '../load-experiment.ts';
import { planComparison } from '../plan-comparison.ts';
import { findingsTaskDeps, planFindings } from '../plan-findings.ts';
import { planExperiment, type PlannedTask } from '../plan.ts';
import { slurmSettings, type SlurmSettings } from './resources.ts';

/** One task as the executor sees it: a job to submit unless its artifacts exist. */
export interface JobTask {
  experiment: string;
  name: string;
  /** Its planned output ids, joined: the same key means the same job, across experiments. */
  key: string;
  outputIds: string[];
  outputDirs: string[];
  /** `--expect`, as `imp task` checks it. */
  expect?: string;
  /** Upstream tasks as [experiment, task]. */
  deps: [string, string][];
}

/** An experiment (or comparison) file, unrolled. */
export interface JobUnit {
  name: string;
  file: string;
  settings: SlurmSettings;
  tasks: JobTask[];
}

export interface UnitOptions {
  store?: string;
  /** Where a comparison's experiments are found by name (default: the workspace's pipelines/). */
  pipelinesDir?: string;
}

/** What `imp task … --expect` compares: each output's id prefix, comma-joined. */
export const expectIds = (t: PlannedTask) =>
  Object.values(t.outputs)
    .map((o) => o.id.slice(0, 20))
    .join(',');

export const isDone = (t: JobTask) => t.outputDirs.every((d) => existsSync(join(d, MANIFEST_FILE)));

function fromPlanned(experiment: string, t: PlannedTask, deps: [string, string][], expect: boolean): JobTask {
  const outs = Object.values(t.outputs);
  return {
    experiment,
    name: t.name,
    key: outs.map((o) => o.id).join('+'),
    outputIds: outs.map((o) => o.id),
    outputDirs: outs.map((o) => o.dir),
    ...(expect ? { expect: expectIds(t) } : {}),
    deps,
  };
}

/**
 * Plans every file, in order. A comparison brings its experiments along (before it), and
 * its one task depends on each of their reports; a findings file brings the experiments its
 * claims name, and its findings task depends on each of their aggregates. An experiment named twice appears once.
 */
export async function loadUnits(files: string[], opts: UnitOptions = {}): Promise<JobUnit[]> {
  const store = storeRoot(opts.store);
  const pipelinesDir = opts.pipelinesDir ?? join(workspaceRoot(), 'pipelines');
  const units: JobUnit[] = [];
  const add = async (file: string) => {
    const loaded = loadExperimentFile(file);
    if (loaded.kind === 'comparison') {
      const c = loaded.comparison;
      for (const name of c.compare) await add(findExperimentFile(name, pipelinesDir));
      if (units.some((u) => u.name === c.name)) return;
      const t = await planComparison(c, pipelinesDir, store);
      units.push({
        name: c.name,
        file: loaded.path,
        settings: slurmSettings(c, loaded.path),
        tasks: [
          fromPlanned(
            c.name,
            t,
            c.compare.map((e) => [e, 'report']),
            false,
          ),
        ],
      });
      return;
    }
    if (loaded.kind === 'findings') {
      const f = loaded.findings;
      const fp = await planFindings(f, loaded.path, pipelinesDir, store);
      for (const e of fp.experiments) await add(e.file);
      if (units.some((u) => u.name === f.name)) return;
      units.push({
        name: f.name,
        file: loaded.path,
        settings: slurmSettings(f, loaded.path),
        tasks: fp.tasks.map((t) => fromPlanned(f.name, t, findingsTaskDeps(f, t), true)),
      });
      return;
    }
    const exp = loaded.experiment;
    const seen = units.find((u) => u.name === exp.name);
    if (seen) {
      if (seen.file !== loaded.path)
        throw new ConfigError(`two experiment files are both named '${exp.name}': ${seen.file} and ${loaded.path}`);
      return;
    }
    const plan = await planExperiment(exp, store);
    units.push({
      name: exp.name,
      file: loaded.path,
      settings: slurmSettings(exp, loaded.path),
      tasks: plan.tasks.map((t) =>
        fromPlanned(
          exp.name,
          t,
          t.dependsOn.map((d) => [exp.name, d]),
          true,
        ),
      ),
    });
  };
  for (const f of files) await add(f);
  return units;
}

export function findTask(units: JobUnit[], [experiment, task]: [string, string]): JobTask {
  const t = units.find((u) => u.name === experiment)?.tasks.find((x) => x.name === task);
  if (!t) throw new Error(`internal: no task ${experiment}--${task} in the plan`);
  return t;
}
