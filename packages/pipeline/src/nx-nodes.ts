import { basename, join, relative } from 'node:path';
import { storeRoot } from '@imp/artifacts';
import { loadExperimentFile } from './load-experiment.ts';
import { planExperiment, taskOutputDirs } from './plan.ts';

type TargetConfig = Record<string, unknown>;
type ProjectNode = {
  name: string;
  root: string;
  tags: string[];
  implicitDependencies?: string[];
  targets: Record<string, TargetConfig>;
};

/** The Nx project of one stage run. */
export const taskProject = (experiment: string, task: string) => `${experiment}--${task}`;
/** The Nx project whose `run` target runs a whole experiment (or comparison). */
export const projectName = (experiment: string) => `exp-${experiment}`;

/**
 * Every stage run is its own Nx project with one cached `run` target. (Nx hashes a
 * project's whole configuration into each of its tasks, so stage runs sharing a
 * project would all rerun whenever any one of them changed.) The command carries the
 * ids of the run's outputs, which hash its own config slice and its upstream chain,
 * so the Nx cache key changes exactly when the artifact identity does; upstream
 * artifact *contents* enter through dependentTasksOutputFiles (git-ignored files are
 * never hashed as plain file inputs; see docs/architecture.md).
 */
export async function nodesForFile(file: string, workspaceRoot: string): Promise<Record<string, ProjectNode>> {
  const loaded = loadExperimentFile(file);
  const rel = relative(workspaceRoot, loaded.path);
  const imp = 'node packages/cli/bin/imp.js';
  const toWs = (p: string) => `{workspaceRoot}/${relative(workspaceRoot, p)}`;
  const projects: Record<string, ProjectNode> = {};
  const add = (p: ProjectNode) => (projects[p.root] = p);
  if (loaded.kind === 'comparison') {
    const c = loaded.comparison;
    const deps = c.compare.map((e) => taskProject(e, 'report'));
    add({
      name: projectName(c.name),
      root: `pipelines/${c.name}`,
      tags: ['comparison'],
      implicitDependencies: deps,
      targets: {
        run: {
          executor: 'nx:run-commands',
          options: { command: `${imp} task ${rel} compare`, cwd: '{workspaceRoot}' },
          dependsOn: [{ projects: deps, target: 'run' }],
          inputs: [],
          cache: false,
        },
      },
    });
    return projects;
  }
  const plan = await planExperiment(loaded.experiment, storeRoot());
  const exp = plan.experiment.name;
  for (const t of plan.tasks) {
    const ids = Object.values(t.outputs)
      .map((o) => o.id.slice(0, 20))
      .join(',');
    const deps = t.dependsOn.map((d) => taskProject(exp, d));
    add({
      name: taskProject(exp, t.name),
      root: `pipelines/${exp}/${t.name}`,
      tags: [`experiment:${exp}`, `stage:${t.stage.name}`],
      implicitDependencies: deps,
      targets: {
        run: {
          executor: 'nx:run-commands',
          options: { command: `${imp} task ${rel} ${t.name} --expect ${ids}`, cwd: '{workspaceRoot}' },
          dependsOn: deps.length ? [{ projects: deps, target: 'run' }] : [],
          inputs: [{ dependentTasksOutputFiles: '**/*', transitive: false }, { env: 'IMP_BACKEND' }],
          outputs: taskOutputDirs(t).map(toWs),
          cache: true,
          metadata: {
            description: `${t.stage.name} stage → ${Object.values(t.outputs)
              .map((o) => basename(o.dir))
              .join(', ')}`,
          },
        },
      },
    });
  }
  const report = taskProject(exp, 'report');
  add({
    name: projectName(exp),
    root: `pipelines/${exp}`,
    tags: ['experiment'],
    implicitDependencies: [report],
    targets: {
      run: { executor: 'nx:noop', dependsOn: [{ projects: [report], target: 'run' }], inputs: [], cache: true },
    },
  });
  return projects;
}

/** Batched createNodes body: the projects of every experiment file. */
export async function createNodesFor(files: string[], workspaceRoot: string) {
  const out: [string, { projects: Record<string, unknown> }][] = [];
  for (const f of files) out.push([f, { projects: await nodesForFile(join(workspaceRoot, f), workspaceRoot) }]);
  return out;
}
