import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '@imp/artifacts';
import { runRecordPath } from './execute-task.ts';
import type { Plan, PlannedTask } from './plan.ts';

export interface TaskStatus {
  task: string;
  state: 'done' | 'stale' | 'missing';
  why: string;
}

/** Lists the config keys whose values differ between two JSON values. */
export function diffKeys(a: unknown, b: unknown, path = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys]
      .sort()
      .flatMap((k) =>
        diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
      );
  }
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [`${path || '(value)'}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}

function taskStatus(plan: Plan, t: PlannedTask, states: Map<string, TaskStatus>): TaskStatus {
  const done = Object.values(t.outputs).every((o) => existsSync(join(o.dir, MANIFEST_FILE)));
  if (done) return { task: t.name, state: 'done', why: 'artifacts present' };
  const rec = runRecordPath(plan.store, plan.experiment.name, t.name);
  const upstreamPending = t.dependsOn.filter((d) => states.get(d)?.state !== 'done');
  if (existsSync(rec)) {
    const last = JSON.parse(readFileSync(rec, 'utf8')) as {
      config: unknown;
      inputs: Record<string, { id: string }>;
      stage: string;
    };
    const why: string[] = [];
    if (last.stage !== t.stage.name) why.push(`implementation ${last.stage} → ${t.stage.name}`);
    const keys = diffKeys(last.config, t.parsedConfig);
    if (keys.length) why.push(`config changed: ${keys.join('; ')}`);
    const changedInputs = Object.keys(t.inputs).filter((r) => last.inputs[r]?.id !== t.inputs[r]!.id);
    if (changedInputs.length) why.push(`upstream changed: ${changedInputs.join(', ')}`);
    if (!why.length) why.push('artifacts deleted since the last run');
    return { task: t.name, state: 'stale', why: why.join('; ') };
  }
  return {
    task: t.name,
    state: 'missing',
    why: upstreamPending.length ? `never run; waits for ${upstreamPending.join(', ')}` : 'never run',
  };
}

export function planStatus(plan: Plan): TaskStatus[] {
  const states = new Map<string, TaskStatus>();
  for (const t of plan.tasks) states.set(t.name, taskStatus(plan, t, states));
  return [...states.values()];
}

export interface TaskDiff {
  task: string;
  same: boolean;
  keys: string[];
  upstream: string[];
  impl?: string;
}

/** Which stages of two experiments differ, and in which config keys. */
export function diffPlans(a: Plan, b: Plan): TaskDiff[] {
  const names = [...new Set([...a.tasks.map((t) => t.name), ...b.tasks.map((t) => t.name)])];
  return names.map((n) => {
    const ta = a.tasks.find((t) => t.name === n);
    const tb = b.tasks.find((t) => t.name === n);
    if (!ta || !tb)
      return { task: n, same: false, keys: [`only in ${ta ? a.experiment.name : b.experiment.name}`], upstream: [] };
    const same = Object.keys(ta.outputs).every((r) => ta.outputs[r]!.id === tb.outputs[r]?.id);
    const keys = diffKeys(ta.parsedConfig, tb.parsedConfig).filter(
      (k) => !k.startsWith('experiment:') && !k.startsWith('title:'),
    );
    const upstream = Object.keys({ ...ta.inputs, ...tb.inputs }).filter((r) => ta.inputs[r]?.id !== tb.inputs[r]?.id);
    const impl = ta.stage.name !== tb.stage.name ? `${ta.stage.name} → ${tb.stage.name}` : undefined;
    return { task: n, same, keys, upstream, ...(impl ? { impl } : {}) };
  });
}
