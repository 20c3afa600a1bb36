/**
 * A rough wall-time estimate of the stage runs an `imp run` has still to do, printed before a
 * long run (`npm run findings`). Training dominates: steps × seconds per step, read from the
 * train manifests already in the store (their `train_s` over their `steps`, per architecture
 * and batch size), else DEFAULT_STEP_S scaled by the net's weight count. The analysis costs
 * seconds per level (from earlier analysis manifests, else DEFAULT_ANALYSIS_LEVEL_S); every
 * other stage run DEFAULT_OTHER_S. Tasks needing every core run alone; the others share the
 * cores as the scheduler does (threads.ts). Rough by design: it says hours or minutes.
 */
import { readManifest, listArtifactDirs } from '@imp/artifacts';
import type { RunUnit } from './run-scope.ts';
import { schedule } from './threads.ts';

/**
 * 784-300-100-10, batch 100, fused native step, one thread: 2.5–6.5 ms per step measured
 * under load (engine README), plus the evaluations.
 */
export const DEFAULT_STEP_S = 0.006;
/** Weights of 784-300-100-10, the net DEFAULT_STEP_S was measured on. */
const DEFAULT_WEIGHTS = 784 * 300 + 300 * 100 + 100 * 10;
/** Analysis per level: ~12 s for 10 levels of 784-300-100-10 on an idle 2-core machine (analysis README). */
export const DEFAULT_ANALYSIS_LEVEL_S = 2;
/** Any other stage run: process start, checks and a little work. */
export const DEFAULT_OTHER_S = 1;
/** A data stage run (download excluded). */
export const DEFAULT_DATA_S = 20;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : null;
};

/** Weights of an `f300:f100:x` net on D inputs with k classes (the output width is unknown here: 10). */
function weightsOf(arch: string, inputDim = 784): number {
  const widths = [...arch.matchAll(/f(\d+)/g)].map((m) => Number(m[1]));
  let n = 0;
  let prev = inputDim;
  for (const w of [...widths, 10]) {
    n += prev * w;
    prev = w;
  }
  return n;
}

export interface CostTable {
  stepS: Map<string, number>;
  analysisLevelS: number | null;
  dataS: number | null;
}

/** Per-step and per-level costs measured by earlier runs in this store. */
export function measuredCosts(store: string): CostTable {
  const steps = new Map<string, number[]>();
  const analysis: number[] = [];
  const data: number[] = [];
  for (const dir of listArtifactDirs(store)) {
    let m;
    try {
      m = readManifest(dir);
    } catch {
      continue;
    }
    const cfg = m.config as { steps?: number; arch?: string; batchSize?: number };
    const t = m.timings ?? {};
    if (m.stage === 'train' && m.role === 'metrics' && typeof t.train_s === 'number' && cfg.steps) {
      const k = `${cfg.arch}|${cfg.batchSize}`;
      steps.set(k, [...(steps.get(k) ?? []), t.train_s / cfg.steps]);
    } else if (m.stage === 'analysis' && typeof t.analysis_s === 'number') {
      const levels = m.upstream.filter((u) => u.role.startsWith('params.')).length;
      if (levels) analysis.push(t.analysis_s / levels);
    } else if (m.stage === 'data') {
      const total = Object.values(t).reduce<number>((a, b) => a + (typeof b === 'number' ? b : 0), 0);
      if (total) data.push(total);
    }
  }
  return {
    stepS: new Map([...steps].map(([k, v]) => [k, median(v)!])),
    analysisLevelS: median(analysis),
    dataS: median(data),
  };
}

/** Seconds one stage run is expected to take, and where the figure comes from. */
export function taskSeconds(u: RunUnit, costs: CostTable): { s: number; measured: boolean } {
  const t = u.task;
  const cfg = t.parsedConfig as { steps?: number; arch?: string; batchSize?: number };
  if (t.stage.name === 'train' && cfg.steps) {
    const hit = costs.stepS.get(`${cfg.arch}|${cfg.batchSize}`);
    const per = hit ?? DEFAULT_STEP_S * (weightsOf(String(cfg.arch ?? 'f300:f100:x')) / DEFAULT_WEIGHTS);
    return { s: cfg.steps * per, measured: hit !== undefined };
  }
  if (t.stage.name === 'analysis') {
    const levels = Object.keys(t.inputs).filter((r) => r.startsWith('params.')).length;
    return { s: levels * (costs.analysisLevelS ?? DEFAULT_ANALYSIS_LEVEL_S), measured: costs.analysisLevelS !== null };
  }
  if (t.stage.name === 'data') return { s: costs.dataS ?? DEFAULT_DATA_S, measured: costs.dataS !== null };
  return { s: DEFAULT_OTHER_S, measured: false };
}

export interface Estimate {
  wallS: number;
  trainSteps: number;
  tasks: number;
  /** Share of the estimate that comes from this store's own timings. */
  measuredShare: number;
}

/** Wall time of the pending stage runs: exclusive ones one after another, the rest shared over the slots. */
export function estimateWall(pending: RunUnit[], store: string, cores?: number): Estimate {
  const costs = measuredCosts(store);
  const sched = schedule(
    pending.map((u) => ({ key: u.project, task: u.task })),
    cores,
  );
  let alone = 0;
  let shared = 0;
  let measured = 0;
  let total = 0;
  let steps = 0;
  for (const u of pending) {
    const { s, measured: m } = taskSeconds(u, costs);
    total += s;
    if (m) measured += s;
    if (sched.exclusive.has(u.project)) alone += s;
    else shared += s;
    if (u.task.stage.name === 'train') steps += Number((u.task.parsedConfig as { steps?: number }).steps ?? 0);
  }
  return {
    wallS: alone + shared / sched.parallel,
    trainSteps: steps,
    tasks: pending.length,
    measuredShare: total ? measured / total : 0,
  };
}

export function formatDuration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
