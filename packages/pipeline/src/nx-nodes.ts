import { basename, join, relative } from 'node:path';
import { storeRoot } from '@imp/artifacts';
import { loadExperimentFile } from './load-experiment.ts';
import { planExperiment, taskOutputDirs } from './plan.ts';

type TargetConfig = Record<string, unknown>;

export const projectName = (experiment: string) => `exp-${experiment}`;

/**
 * The Nx project of one experiment file: one target per stage run. Each target's
 * command carries the ids of its outputs, which hash its own config slice and its
 * upstream chain, so Nx's cache key changes exactly when the artifact identity does;
 * upstream artifact *contents* enter through dependentTasksOutputFiles (gitignored
 * files are never hashed as plain file inputs; see docs/architecture.md).
 */
export async function nodesForFile(file: string, workspaceRoot: string) {
  const loaded = loadExperimentFile(file);
  const rel = relative(workspaceRoot, loaded.path);
  const imp = 'node packages/cli/bin/imp.js';
  const toWs = (p: string) => `{workspaceRoot}/${relative(workspaceRoot, p)}`;
  const targets: Record<string, TargetConfig> = {};
  let name: string;
  if (loaded.kind === 'comparison') {
    const c = loaded.comparison;
    name = c.name;
    targets.compare = {
      executor: 'nx:run-commands',
      options: { command: `${imp} task ${rel} compare`, cwd: '{workspaceRoot}' },
      dependsOn: c.compare.map((e) => ({ projects: [projectName(e)], target: 'report' })),
      inputs: [{ dependentTasksOutputFiles: '**/*', transitive: false }],
      cache: false,
    };
  } else {
    const plan = await planExperiment(loaded.experiment, storeRoot());
    name = plan.experiment.name;
    for (const t of plan.tasks) {
      const ids = Object.values(t.outputs).map((o) => o.id.slice(0, 20)).join(',');
      targets[t.name] = {
        executor: 'nx:run-commands',
        options: { command: `${imp} task ${rel} ${t.name} --expect ${ids}`, cwd: '{workspaceRoot}' },
        dependsOn: t.dependsOn,
        inputs: [{ dependentTasksOutputFiles: '**/*', transitive: false }, { env: 'IMP_BACKEND' }],
        outputs: taskOutputDirs(t).map(toWs),
        cache: true,
        metadata: { description: `${t.stage.name} stage → ${Object.values(t.outputs).map((o) => basename(o.dir)).join(', ')}` },
      };
    }
  }
  return { root: `pipelines/${name}`, name: projectName(name), targets };
}

/** Batched createNodes body: one project per experiment file. */
export async function createNodesFor(files: string[], workspaceRoot: string) {
  const out: [string, { projects: Record<string, unknown> }][] = [];
  for (const f of files) {
    const p = await nodesForFile(join(workspaceRoot, f), workspaceRoot);
    out.push([f, { projects: { [p.root]: { name: p.name, root: p.root, targets: p.targets, tags: ['experiment'] } } }]);
  }
  return out;
}
