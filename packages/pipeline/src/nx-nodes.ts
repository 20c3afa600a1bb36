import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { storeRoot, takeObservedContentInputs } from '@imp/artifacts';
import { loadExperimentFile } from './load-experiment.ts';
import { planExperiment, type PlannedTask } from './plan.ts';
import { findingsTaskDeps, planFindings } from './plan-findings.ts';

type TargetConfig = Record<string, unknown>;
export type ProjectNode = {
  name: string;
  root: string;
  tags: string[];
  targets: Record<string, TargetConfig>;
  /** Upstream projects; nx-plugin.cjs turns them into graph edges (createDependencies). */
  metadata: { impDependsOn: string[] };
};

/** The Nx project of one stage run. */
export const taskProject = (experiment: string, task: string) => `${experiment}--${task}`;
/** The Nx project whose `run` target runs a whole experiment (or comparison). */
export const projectName = (experiment: string) => `exp-${experiment}`;

/**
 * An argument both `sh -c` and Nx's `{token}` interpolation leave alone: every byte
 * outside [A-Za-z0-9._/-] is percent-encoded (so spaces, quotes, `;`, `$`, braces and
 * `%` itself never reach a shell or Nx as syntax). `imp task --encoded` decodes it.
 */
export function encodeArg(s: string): string {
  return s.replace(/[^A-Za-z0-9._/-]/gu, (c) =>
    Array.from(new TextEncoder().encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
export const decodeArg = (s: string) => decodeURIComponent(s);

/** Output ids a task's command carries, so a stale graph fails loudly (`imp task --expect`). */
export const taskIds = (t: PlannedTask) =>
  Object.values(t.outputs)
    .map((o) => o.id.slice(0, 20))
    .join(',');

/** The shell command of one stage run's Nx target: only characters no shell or Nx token reads. */
export function taskCommand(file: string, workspaceRoot: string, task: string, ids?: string): string {
  const rel = relative(workspaceRoot, file);
  const path = rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  return `node packages/cli/bin/imp.js task --encoded ${encodeArg(path)} ${encodeArg(task)}${ids ? ` --expect ${ids}` : ''}`;
}

/**
 * A stage run's `run` target. Nx does not cache it: the content-addressed store is the
 * cache (`imp run` hands Nx only the runs whose artifacts are missing), and Nx's replay
 * could neither see a store outside the workspace nor tell a tampered artifact from a
 * restorable one (docs/architecture.md, "Pipelines and Nx").
 */
export function runTarget(command: string, description: string, extra: TargetConfig = {}): TargetConfig {
  return {
    executor: 'nx:run-commands',
    options: { command, cwd: '{workspaceRoot}', ...((extra.options as object) ?? {}) },
    dependsOn: ['^run'],
    inputs: [],
    outputs: [],
    cache: false,
    metadata: { description },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'options')),
  };
}

const describeOutputs = (t: PlannedTask) =>
  `${t.stage.name} stage → ${Object.values(t.outputs)
    .map((o) => basename(o.dir))
    .join(', ')}`;

/** Files an experiment file's plan reads: itself and its `extends` chain. */
export function extendsChain(file: string): string[] {
  const chain: string[] = [];
  let p: string | null = resolve(file);
  while (p && !chain.includes(p) && existsSync(p)) {
    chain.push(p);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(p, 'utf8'));
    } catch {
      break;
    }
    const ext = raw && typeof raw === 'object' ? (raw as { extends?: unknown }).extends : undefined;
    p = typeof ext === 'string' ? join(dirname(p), ext) : null;
  }
  return chain;
}

/** Workspace files whose contents an experiment's external stage commands depend on. */
function commandFiles(tasks: PlannedTask[], workspaceRoot: string): string[] {
  const out = new Set<string>();
  for (const t of tasks)
    if (typeof t.impl !== 'string')
      for (const a of t.impl.command) {
        const p = isAbsolute(a) ? a : resolve(workspaceRoot, a);
        if (!relative(workspaceRoot, p).startsWith('..') && existsSync(p)) out.add(p);
      }
  return [...out];
}

export interface FileNodes {
  projects: Record<string, ProjectNode>;
  /** Workspace-relative files this answer was computed from (for the plugin's memo). */
  reads: string[];
  /**
   * External inputs whose content entered the plan's ids (photo folders, mapping files, dataset
   * files given by path), by absolute path: the stat stamp of each file read, null if missing.
   * The plugin's memo is valid only while every stamp is unchanged.
   */
  inputs: Record<string, Record<string, string> | null>;
}

/**
 * The whole-workspace view (`nx graph`, `nx show projects`, plain `nx run`): one Nx
 * project per stage run, `<experiment>--<task>`, plus `exp-<experiment>`. Edges come
 * from createDependencies, not implicitDependencies: Nx resolves each implicit
 * dependency by scanning every project name, which is quadratic in the workspace.
 */
export async function nodesForFile(file: string, workspaceRoot: string): Promise<FileNodes> {
  const loaded = loadExperimentFile(file);
  takeObservedContentInputs(); // start afresh: only this file's plan counts
  const projects: Record<string, ProjectNode> = {};
  const add = (p: ProjectNode) => (projects[p.root] = p);
  const reads = extendsChain(loaded.path);
  const expProject = (name: string, deps: string[], kind: string) =>
    add({
      name: projectName(name),
      root: `pipelines/${name}`,
      tags: [kind],
      metadata: { impDependsOn: deps },
      targets: { run: { executor: 'nx:noop', dependsOn: ['^run'], inputs: [], cache: false } },
    });
  if (loaded.kind === 'findings') {
    const f = loaded.findings;
    const fp = await planFindings(f, loaded.path, dirname(loaded.path), storeRoot());
    for (const t of fp.tasks)
      add({
        name: taskProject(f.name, t.name),
        root: `pipelines/${f.name}/${t.name}`,
        tags: [`experiment:${f.name}`, `stage:${t.stage.name}`, 'findings'],
        metadata: {
          impDependsOn: findingsTaskDeps(f, t).map(([e, n]) => taskProject(e, n)),
        },
        targets: {
          run: runTarget(taskCommand(loaded.path, workspaceRoot, t.name, taskIds(t)), describeOutputs(t)),
        },
      });
    expProject(f.name, [taskProject(f.name, 'findings-page')], 'findings');
    // The plan reads every experiment the claims name: their files key this answer's memo too.
    for (const e of fp.experiments) reads.push(...extendsChain(e.file), ...commandFiles(e.plan.tasks, workspaceRoot));
    return {
      projects,
      reads: [...new Set(reads)].map((x) => relative(workspaceRoot, x)),
      inputs: takeObservedContentInputs(),
    };
  }
  if (loaded.kind === 'comparison') {
    const c = loaded.comparison;
    const deps = c.compare.map((e) => taskProject(e, 'report'));
    add({
      name: taskProject(c.name, 'compare'),
      root: `pipelines/${c.name}/compare`,
      tags: [`experiment:${c.name}`, 'comparison'],
      metadata: { impDependsOn: deps },
      targets: { run: runTarget(taskCommand(loaded.path, workspaceRoot, 'compare'), 'comparison page') },
    });
    expProject(c.name, [taskProject(c.name, 'compare')], 'comparison');
  } else {
    const plan = await planExperiment(loaded.experiment, storeRoot());
    const exp = plan.experiment.name;
    for (const t of plan.tasks)
      add({
        name: taskProject(exp, t.name),
        root: `pipelines/${exp}/${t.name}`,
        tags: [`experiment:${exp}`, `stage:${t.stage.name}`],
        metadata: { impDependsOn: t.dependsOn.map((d) => taskProject(exp, d)) },
        targets: {
          run: runTarget(taskCommand(loaded.path, workspaceRoot, t.name, taskIds(t)), describeOutputs(t)),
        },
      });
    expProject(exp, [taskProject(exp, 'report')], 'experiment');
    reads.push(...commandFiles(plan.tasks, workspaceRoot));
  }
  return {
    projects,
    reads: [...new Set(reads)].map((f) => relative(workspaceRoot, f)),
    inputs: takeObservedContentInputs(),
  };
}

/** Batched createNodes body: the projects of every experiment file, and what each read. */
export async function createNodesFor(files: string[], workspaceRoot: string) {
  const out: [string, FileNodes][] = [];
  for (const f of files) out.push([f, await nodesForFile(join(workspaceRoot, f), workspaceRoot)]);
  return out;
}

/** One stage run `imp run` hands to Nx. */
export interface ScopedRun {
  project: string;
  file: string;
  task: PlannedTask;
  dependsOn: string[];
  threads: number;
  exclusive: boolean;
}

export const SCOPE_TAG = 'imp-run';

/**
 * The projects of an `imp run`: only the stage runs whose artifacts are missing, with
 * edges between them (an upstream whose artifacts exist is no longer a dependency).
 * Nx reads these through IMP_NX_SCOPE instead of planning the whole workspace.
 */
export function scopedNodes(runs: ScopedRun[], workspaceRoot: string): ProjectNode[] {
  const userThreads = process.env.IMP_THREADS;
  return runs.map((r) => ({
    name: r.project,
    root: `pipelines/.imp-run/${r.project}`,
    tags: [SCOPE_TAG],
    metadata: { impDependsOn: r.dependsOn },
    targets: {
      run: runTarget(taskCommand(r.file, workspaceRoot, r.task.name, taskIds(r.task)), describeOutputs(r.task), {
        options: { env: { IMP_THREADS: userThreads || String(r.threads) } },
        ...(r.exclusive ? { parallelism: false } : {}),
      }),
    },
  }));
}
