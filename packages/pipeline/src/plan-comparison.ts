import { join } from 'node:path';
import { plannedOutputs, type PlannedOutput } from '@imp/artifacts';
import type { Comparison } from './experiment-schema.ts';
import { findExperimentFile, loadExperimentFile } from './load-experiment.ts';
import { planExperiment, type PlannedTask, type TaskInput } from './plan.ts';
import { stageHandle } from './stage-handle.ts';

/** The one task of a comparison file: its stage over every compared experiment's report. */
export async function planComparison(c: Comparison, pipelinesDir: string, store: string): Promise<PlannedTask> {
  const inputs: Record<string, TaskInput> = {};
  for (const name of c.compare) {
    const loaded = loadExperimentFile(findExperimentFile(name, pipelinesDir));
    if (loaded.kind !== 'experiment') throw new Error(`comparison ${c.name}: '${name}' is not an experiment`);
    const report = (await planExperiment(loaded.experiment, store)).tasks.find((t) => t.name === 'report')!;
    const o = Object.values(report.outputs)[0]!;
    inputs[`report.${name}`] = { task: `${name}--report`, role: o.role, id: o.id, dir: o.dir };
  }
  const stage = await stageHandle(c.stage);
  const config = { title: c.name, grouping: c.description, ...c.config };
  const { config: parsedConfig, outputs } = await stage.resolve(config, `comparison '${c.name}' config`);
  const ids = Object.fromEntries(Object.entries(inputs).map(([r, i]) => [r, i.id]));
  const planned: Record<string, PlannedOutput> = plannedOutputs(stage, parsedConfig, outputs, ids, store);
  return { name: 'compare', impl: c.stage, stage, config, parsedConfig, inputs, outputs: planned, dependsOn: [] };
}

export const comparisonPage = (t: PlannedTask) => join(Object.values(t.outputs)[0]!.dir, 'index.html');
