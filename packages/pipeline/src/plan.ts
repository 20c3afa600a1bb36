import { plannedArtifact, storeRoot, useContentHashStore, type Kind, type PlannedOutput } from '@imp/artifacts';
import type { Experiment, StageImpl } from './experiment-schema.ts';
import { stageHandle, type StageHandle } from './stage-handle.ts';

export interface TaskInput {
  task: string;
  role: string;
  id: string;
  dir: string;
}

/** One node of an experiment's DAG: a stage run with its config slice and artifact inputs. */
export interface PlannedTask {
  name: string;
  impl: StageImpl;
  stage: StageHandle;
  /** The config as passed to the stage (level fields and seed injected). */
  config: Record<string, unknown>;
  /** The same after the stage's own validation (defaults filled): what the ids hash. */
  parsedConfig: unknown;
  inputs: Record<string, TaskInput>;
  outputs: Record<string, PlannedOutput>;
  dependsOn: string[];
}

export interface Plan {
  experiment: Experiment;
  store: string;
  tasks: PlannedTask[];
}

function pick(task: PlannedTask, kind: Kind, role?: string): TaskInput {
  const outs = Object.values(task.outputs).filter((o) => o.kind === kind && (!role || o.role === role));
  if (outs.length !== 1)
    throw new Error(
      `task ${task.name} (${task.stage.name}) must have exactly one ${kind} output${role ? ` named '${role}'` : ''}; it has ${outs.map((o) => o.role).join(', ') || 'none'}`,
    );
  const o = outs[0]!;
  return { task: task.name, role: o.role, id: o.id, dir: o.dir };
}

/**
 * Unrolls an experiment into its stage DAG, computing every artifact id up front:
 * ids chain through upstream ids (a Merkle DAG of configs), so the whole graph is
 * known before anything runs. This is what lets Nx cache each stage by identity.
 */
export async function planExperiment(exp: Experiment, store = storeRoot()): Promise<Plan> {
  const tasks: PlannedTask[] = [];
  // Content hashes of external inputs (data configs) are cached under this store.
  useContentHashStore(store);
  const where = (t: string, block: string) => `experiment '${exp.name}' ${block}.config (task ${t})`;

  const add = async (
    name: string,
    block: string,
    impl: StageImpl,
    config: Record<string, unknown>,
    inputs: Record<string, TaskInput>,
  ) => {
    const stage = await stageHandle(impl);
    const seedField = stage.def?.seedField;
    const cfg = seedField && config[seedField] === undefined ? { ...config, [seedField]: exp.seed } : config;
    const { config: parsedConfig, outputs } = await stage.resolve(cfg, where(name, block));
    const inputIds = Object.fromEntries(Object.entries(inputs).map(([r, i]) => [r, i.id]));
    const planned = Object.fromEntries(
      Object.entries(outputs).map(([role, o]) => [
        role,
        {
          role,
          kind: o.kind,
          ...plannedArtifact(
            {
              kind: o.kind,
              role,
              stage: stage.name,
              algoVersion: stage.algoVersion,
              config: parsedConfig,
              upstream: inputIds,
            },
            store,
          ),
        },
      ]),
    );
    const task: PlannedTask = {
      name,
      impl,
      stage,
      config: cfg,
      parsedConfig,
      inputs,
      outputs: planned,
      dependsOn: [...new Set(Object.values(inputs).map((i) => i.task))],
    };
    tasks.push(task);
    return task;
  };

  const data = await add('data', 'data', exp.data.stage, exp.data.config, {});
  const dataset = pick(data, 'dataset');
  const levels = exp.prune.levels;
  const train0 = await add(
    'train-L0',
    'train',
    exp.train.stage,
    { ...exp.train.config, level: 0, rewindStep: levels > 0 ? exp.rewind.step : null },
    { dataset },
  );
  const rewindMode = String((exp.rewind.config as { mode?: unknown }).mode ?? 'late');
  let prevTrain = train0;
  let prevMask: PlannedTask | undefined;
  const finals: PlannedTask[] = [train0];
  const masks: PlannedTask[] = [];
  for (let k = 1; k <= levels; k++) {
    const mask = await add(
      `mask-L${k}`,
      'prune',
      exp.prune.stage,
      { ...exp.prune.config, level: k },
      {
        params: pick(prevTrain, 'parameters', 'final'),
        ...(prevMask ? { previous: pick(prevMask, 'mask') } : {}),
      },
    );
    // Late rewinding (spec §3.2) goes back to step k of level 0; 'init' and 'reinit' start from level 0's step 0.
    const source =
      rewindMode === 'late'
        ? pick(train0, 'parameters', 'rewind')
        : rewindMode === 'finetune'
          ? pick(prevTrain, 'parameters', 'final')
          : pick(train0, 'parameters', 'init');
    const rewind = await add(`rewind-L${k}`, 'rewind', exp.rewind.stage, exp.rewind.config, {
      source,
      mask: pick(mask, 'mask'),
      ...(rewindMode === 'finetune' ? { trained: pick(prevTrain, 'parameters', 'final') } : {}),
    });
    const train = await add(
      `train-L${k}`,
      'train',
      exp.train.stage,
      { ...exp.train.config, level: k, rewindStep: null },
      {
        dataset,
        start: pick(rewind, 'parameters'),
        mask: pick(mask, 'mask'),
      },
    );
    masks.push(mask);
    finals.push(train);
    prevTrain = train;
    prevMask = mask;
  }
  const analysisInputs: Record<string, TaskInput> = { dataset };
  finals.forEach((t, k) => {
    analysisInputs[`params.L${k}`] = pick(t, 'parameters', 'final');
    analysisInputs[`metrics.L${k}`] = pick(t, 'metrics');
  });
  masks.forEach((m, i) => (analysisInputs[`mask.L${i + 1}`] = pick(m, 'mask')));
  const analysis = await add('analysis', 'analysis', exp.analysis.stage, exp.analysis.config, analysisInputs);
  const { extends: _x, ...shown } = exp;
  await add(
    'report',
    'report',
    exp.report.stage,
    { title: exp.description || exp.name, experimentConfig: shown, ...exp.report.config, experiment: exp.name },
    { analysis: pick(analysis, 'analysis') },
  );
  return { experiment: exp, store, tasks };
}

export function taskOutputDirs(t: PlannedTask): string[] {
  return Object.values(t.outputs).map((o) => o.dir);
}
