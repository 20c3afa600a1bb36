import { storeRoot } from '@imp/artifacts';
import { loadedName, loadExperimentFile } from '../load-experiment.ts';
import { readJobs } from './records.ts';
import { isActive, slurmCommands, type SlurmClient } from './sbatch.ts';

export interface CancelOptions {
  store?: string;
  client?: SlurmClient;
}

/** The name an experiment or comparison file gives itself (no planning: cancel must work on a broken file too). */
function fileName(file: string): string {
  return loadedName(loadExperimentFile(file));
}

/**
 * Cancels every queued or running job recorded for these experiments, including a stage
 * they share with another experiment (that one then shows it as cancelled, and a new
 * submit resubmits it). Jobs are matched by id and name, so an id that a restarted
 * controller gave to someone else's job is never touched.
 */
export async function cancel(
  files: string[],
  opts: CancelOptions = {},
): Promise<{ experiment: string; task: string; jobId: string }[]> {
  const client = opts.client ?? slurmCommands;
  const store = storeRoot(opts.store);
  const queue = await client.squeue();
  const hits: { experiment: string; task: string; jobId: string }[] = [];
  for (const file of files) {
    const name = fileName(file);
    for (const rec of Object.values(readJobs(store, name)?.tasks ?? {})) {
      const q = queue.get(rec.jobId);
      if (q && q.name === rec.jobName && isActive(q)) hits.push({ experiment: name, task: rec.task, jobId: rec.jobId });
    }
  }
  await client.scancel([...new Set(hits.map((h) => h.jobId))]);
  return hits;
}
