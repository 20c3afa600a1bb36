import {
  PLANNER_KEYS,
  plannedOutputs,
  storeRoot,
  useContentHashStore,
  type InputSource,
  type Kind,
  type PlannedOutput,
  type PlannerKey,
} from '@imp/artifacts';
import { packageStage } from './registry.ts';
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
  /** The training seeds, one chain each (`experimentSeeds`). */
  seeds: number[];
}

/** The training seeds of an experiment: its `seeds`, else its one `seed`. */
export const experimentSeeds = (exp: Pick<Experiment, 'seed' | 'seeds'>): number[] => exp.seeds ?? [exp.seed];

/** The data stage's seed: `dataSeed`, else `seed` (so a file without the new fields keeps its ids). */
export const dataSeedOf = (exp: Pick<Experiment, 'seed' | 'dataSeed'>): number => exp.dataSeed ?? exp.seed;

/**
 * The name of a per-seed task: unchanged with one seed (existing names, run records and
 * Nx projects stay), `<task>-s<seed>` with several (a valid Nx project name: `train-L3-s1`).
 */
export const seedTaskName = (task: string, seed: number, multi: boolean): string => (multi ? `${task}-s${seed}` : task);

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

  /**
   * The planner contract (docs/writing-a-stage.md): of the keys the planner would inject, only
   * those the stage declares in `plannerKeys` (undeclared: the block's defaults), plus the seed.
   */
  const withInjected = (
    stage: StageHandle,
    block: string,
    config: Record<string, unknown>,
    inject: Partial<Record<PlannerKey, unknown>>,
    seed: number,
  ) => {
    const allowed = stage.def?.plannerKeys ?? PLANNER_KEYS[block] ?? [];
    const out = { ...config };
    for (const [k, v] of Object.entries(inject)) if (allowed.includes(k as PlannerKey)) out[k] = v;
    const seedField = stage.def?.seedField;
    if (seedField && out[seedField] === undefined) out[seedField] = seed;
    return out;
  };

  const add = async (
    name: string,
    block: string,
    impl: StageImpl,
    config: Record<string, unknown>,
    inputs: Record<string, TaskInput>,
    inject: Partial<Record<PlannerKey, unknown>>,
    seed: number,
  ) => {
    const stage = await stageHandle(impl);
    const cfg = withInjected(stage, block, config, inject, seed);
    const { config: parsedConfig, outputs } = await stage.resolve(cfg, where(name, block));
    const inputIds = Object.fromEntries(Object.entries(inputs).map(([r, i]) => [r, i.id]));
    const planned = plannedOutputs(stage, parsedConfig, outputs, inputIds, store);
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

  // The data stage draws with the data seed, so every training seed's chain shares one dataset.
  const data = await add('data', 'data', exp.data.stage, exp.data.config, {}, {}, dataSeedOf(exp));
  const dataset = pick(data, 'dataset');
  const levels = exp.prune.levels;
  const seeds = experimentSeeds(exp);
  const multi = seeds.length > 1;
  // Which train outputs feed the rewind stage is the rewind stage's declaration (by its parsed
  // config, e.g. its mode), not the planner's: an external rewind command uses the package
  // rewind stage's declaration on its own parsed config.
  const rewindSources =
    levels > 0 ? await inputSourcesOf(exp.rewind.stage, 'rewind', exp.rewind.config, seeds[0]!) : {};

  /**
   * One training seed's chain, train-L0 … train-Ln with its masks and rewinds, then its
   * analysis. Its ids depend on the seed and the dataset only, never on the other seeds,
   * so adding a seed to the list reuses the chains already computed.
   */
  const chain = async (seed: number): Promise<PlannedTask> => {
    const nm = (task: string) => seedTaskName(task, seed, multi);
    const train0 = await add(
      nm('train-L0'),
      'train',
      exp.train.stage,
      exp.train.config,
      { dataset },
      {
        level: 0,
        rewindStep: levels > 0 ? exp.rewind.step : null,
      },
      seed,
    );
    const upstream = (s: InputSource, prevTrain: PlannedTask) =>
      pick(s.from === 'level0' ? train0 : prevTrain, 'parameters', s.output);
    let prevTrain = train0;
    let prevMask: PlannedTask | undefined;
    const finals: PlannedTask[] = [train0];
    const masks: PlannedTask[] = [];
    for (let k = 1; k <= levels; k++) {
      const mask = await add(
        nm(`mask-L${k}`),
        'prune',
        exp.prune.stage,
        exp.prune.config,
        {
          params: pick(prevTrain, 'parameters', 'final'),
          ...(prevMask ? { previous: pick(prevMask, 'mask') } : {}),
        },
        { level: k },
        seed,
      );
      const fromTrain = Object.fromEntries(
        Object.entries(rewindSources).map(([role, s]) => [role, upstream(s, prevTrain)]),
      );
      const rewind = await add(
        nm(`rewind-L${k}`),
        'rewind',
        exp.rewind.stage,
        exp.rewind.config,
        {
          ...fromTrain,
          mask: pick(mask, 'mask'),
        },
        {},
        seed,
      );
      const train = await add(
        nm(`train-L${k}`),
        'train',
        exp.train.stage,
        exp.train.config,
        {
          dataset,
          start: pick(rewind, 'parameters'),
          mask: pick(mask, 'mask'),
        },
        { level: k, rewindStep: null },
        seed,
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
    return add(nm('analysis'), 'analysis', exp.analysis.stage, exp.analysis.config, analysisInputs, {}, seed);
  };
  const analyses: PlannedTask[] = [];
  for (const seed of seeds) analyses.push(await chain(seed));
  const analysis = analyses[0]!;
  // Several seeds: statistics over them (mean, sd, t interval), which the report draws as bands.
  const agg = multi ? await addAggregate(analyses) : undefined;
  // Scheduler settings never enter an artifact's identity (a partition is not a result).
  const { extends: _x, slurm: _s, ...shown } = exp;
  // The report's own config may override the title and the shown config, never the name.
  const reportDefaults = { title: exp.description || exp.name, experimentConfig: shown };
  const reportHandle = await stageHandle(exp.report.stage);
  const reportConfig = {
    ...withInjected(reportHandle, 'report', {}, reportDefaults, exp.seed),
    ...exp.report.config,
  };
  await add(
    'report',
    'report',
    exp.report.stage,
    reportConfig,
    { analysis: pick(analysis, 'analysis'), ...(agg ? { aggregate: pick(agg, 'analysis') } : {}) },
    {
      experiment: exp.name,
    },
    exp.seed,
  );
  return { experiment: exp, store, tasks, seeds };

  /** The aggregate over the seeds' analyses, each given as analysis.s<seed>. */
  async function addAggregate(analyses: PlannedTask[]) {
    const block = exp.aggregate ?? { stage: 'aggregate', config: {} };
    const inputs = Object.fromEntries(analyses.map((a, i) => [`analysis.s${seeds[i]}`, pick(a, 'analysis')]));
    return add('aggregate', 'aggregate', block.stage, block.config, inputs, {}, exp.seed);
  }

  /** The input sources a stage declares for its parsed config (see StageDef.inputSources). */
  async function inputSourcesOf(impl: StageImpl, block: string, config: Record<string, unknown>, seed: number) {
    const stage = await stageHandle(impl);
    const { config: parsed } = await stage.resolve(withInjected(stage, block, config, {}, seed), where(block, block));
    const def = stage.def ?? (await packageStage(block));
    const sources = def.inputSources?.(parsed as never);
    if (!sources) throw new Error(`stage ${stage.name} (experiment block '${block}') declares no inputSources`);
    return sources;
  }
}

export function taskOutputDirs(t: PlannedTask): string[] {
  return Object.values(t.outputs).map((o) => o.dir);
}
