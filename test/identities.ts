// Computing, comparing and writing the pinned artifact identities of every preset
// (test/identities.spec.ts; `npm run pin-identities` writes them).
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson } from '@imp/artifacts';
import { EXPERIMENT_FILE, fileTasks, loadExperimentFile } from '@imp/pipeline';

const root = join(import.meta.dirname, '..');
const pipelines = join(root, 'pipelines');
const pinsFile = join(root, 'test', 'fixtures', 'identities.json');
// Ids never depend on where the store is; a fixed path keeps the planner from touching a real one.
const store = '/nonexistent-imp-store';

export interface TaskPin {
  stage: string;
  algoVersion: string;
  /** The first output's id (every output of a task hashes the same config and upstream). */
  id: string;
  /** Upstream artifact ids, sorted: an id change with the same upstream is the task's own. */
  upstream: string[];
  /**
   * sha256 of the config as the experiment file gives it (before the stage fills defaults): an
   * id change with the same upstream and this unchanged came from the code (a default, the
   * schema, the hashing), which needs an algoVersion bump; with this changed, a preset or claim
   * was edited, which is a new identity by intent.
   */
  configSha: string;
}
export type Pins = Record<string, Record<string, TaskPin>>;

export async function computePins(): Promise<Pins> {
  const out: Pins = {};
  for (const file of readdirSync(pipelines)
    .filter((f) => EXPERIMENT_FILE.test(f))
    .sort()) {
    const tasks = await fileTasks(loadExperimentFile(join(pipelines, file)), pipelines, store);
    const name = file.replace(EXPERIMENT_FILE, '');
    out[name] = {};
    for (const t of tasks) {
      const ids = Object.values(t.outputs)
        .map((o) => o.id)
        .sort();
      out[name][t.name] = {
        stage: t.stage.name,
        algoVersion: t.stage.algoVersion,
        id: ids.join('+'),
        upstream: Object.values(t.inputs)
          .map((i) => i.id)
          .sort(),
        configSha: createHash('sha256').update(canonicalJson(t.config)).digest('hex'),
      };
    }
  }
  return out;
}

export function readPins(): Pins {
  return JSON.parse(readFileSync(pinsFile, 'utf8')) as Pins;
}

/** One line per difference; an own-identity change without an algoVersion bump says so. */
export function comparePins(pinned: Pins, current: Pins): string[] {
  const problems: string[] = [];
  for (const exp of new Set([...Object.keys(pinned), ...Object.keys(current)])) {
    const a = pinned[exp];
    const b = current[exp];
    if (!a || !b) {
      problems.push(`${exp}: ${a ? 'no longer planned' : 'new preset, not pinned yet'}`);
      continue;
    }
    for (const task of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = a[task];
      const c = b[task];
      if (!p || !c) {
        problems.push(`${exp} ${task}: ${p ? 'no longer planned' : 'new task, not pinned yet'}`);
        continue;
      }
      if (p.id === c.id) continue;
      // Pins from before configSha existed count as the same config (the stricter reading).
      const own = p.upstream.join() === c.upstream.join() && (p.configSha ?? c.configSha) === c.configSha;
      const bump = p.algoVersion !== c.algoVersion || p.stage !== c.stage;
      problems.push(
        `${exp} ${task}: id ${p.id} → ${c.id}` +
          (own && !bump
            ? ` (stage ${c.stage} changed identity without an algoVersion bump, still ${c.algoVersion})`
            : ''),
      );
    }
  }
  return problems;
}

/** Writes the current pins, refusing own-identity changes that lack an algoVersion bump. */
export async function writePins(): Promise<void> {
  const current = await computePins();
  let pinned: Pins = {};
  try {
    pinned = readPins();
  } catch {
    // first pinning
  }
  const refused = comparePins(pinned, current).filter((p) => p.includes('without an algoVersion bump'));
  if (refused.length) {
    process.stderr.write(`pin-identities: refused:\n  ${refused.join('\n  ')}\n`);
    process.exit(1);
  }
  writeFileSync(`${pinsFile}.tmp`, `${JSON.stringify(current, null, 2)}\n`);
  renameSync(`${pinsFile}.tmp`, pinsFile);
  process.stderr.write(`pin-identities: ${Object.keys(current).length} presets pinned in ${pinsFile}\n`);
}

if (process.argv[1] === import.meta.filename) await writePins();
