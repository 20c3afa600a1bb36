import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ArtifactError } from './errors.ts';
import type { Kind } from './kinds.ts';
import { parseConfig } from './config.ts';
import { acquireLock } from './lock.ts';
import { OWNER_FILE, ownerFileOf, ownRecord, startHeartbeat, writeOwnerFile } from './owner.ts';
import {
  MANIFEST_FILE,
  openArtifact,
  plannedArtifact,
  storeRoot,
  withPath,
  writeArtifact,
  type Artifact,
  type FileWriter,
} from './store.ts';

export interface StageInput {
  kind: Kind;
  description: string;
  optional?: boolean;
  /**
   * A variadic input: any number of artifacts given as `<role>.<suffix>` (for example
   * `mask.L3`). The analysis stage takes every level this way.
   */
  many?: boolean;
}
export interface StageOutput {
  kind: Kind;
  description: string;
}

/**
 * A stage: a zod config schema, typed artifact inputs and outputs, and a run
 * function. This is the whole contract a swappable implementation must honour
 * (docs/architecture.md, "Stage contract").
 */
export interface StageDef<S extends z.ZodType = z.ZodType> {
  name: string;
  /** Bump whenever the stage would produce different bytes for the same config and inputs. */
  algoVersion: string;
  description: string;
  config: S;
  inputs: Record<string, StageInput>;
  /** Outputs may depend on the config (train writes a rewind point only when asked). */
  outputs: Record<string, StageOutput> | ((config: z.output<S>) => Record<string, StageOutput>);
  /**
   * The config field holding the seed, recorded in every manifest. The planner fills it with
   * the experiment's `seed` when the experiment leaves it unset.
   */
  seedField?: string;
  /**
   * Planner contract (docs/writing-a-stage.md, "The planner contract"): the config keys the
   * planner may inject, beyond `seedField`. Each must be a field of `config`. Undeclared (an
   * external command, or a stage written before this field): the planner injects the keys it
   * always did for that block (see `PLANNER_KEYS`).
   */
  plannerKeys?: readonly PlannerKey[];
  /**
   * Planner contract: where each input role comes from, as a function of the parsed config
   * (rewind: its mode). Roles not returned are wired by the planner's fixed rules (mask →
   * this level's mask, …). Undeclared: the block's package stage's declaration is used.
   */
  inputSources?(config: z.output<S>): Record<string, InputSource>;
  run(ctx: StageContext<z.output<S>>): Promise<void>;
}

/** A config key the planner may inject into a stage's config. */
export type PlannerKey =
  /** IMP level k of this stage run (train, mask). */
  | 'level'
  /** The step of level 0 whose parameters train keeps as the late-rewinding point (null: none). */
  | 'rewindStep'
  /** The experiment's name (report). */
  | 'experiment'
  /** The experiment's description or name (report). */
  | 'title'
  /** The whole experiment file after `extends` (report). */
  | 'experimentConfig';

/** The keys the planner injects per experiment block when a stage declares none. */
export const PLANNER_KEYS: Record<string, readonly PlannerKey[]> = {
  data: [],
  train: ['level', 'rewindStep'],
  prune: ['level'],
  rewind: [],
  analysis: [],
  report: ['experiment', 'title', 'experimentConfig'],
};

/**
 * An upstream output of the IMP chain: `level0` = the train run of level 0, `previous` = the
 * train run of level k-1 (level 0 at k = 1); `output` = its output role (`final`, `rewind`,
 * `init`).
 */
export interface InputSource {
  from: 'level0' | 'previous';
  output: string;
}

export interface PlannedOutput {
  role: string;
  kind: Kind;
  id: string;
  dir: string;
}

export interface StageContext<C> {
  stage: string;
  config: C;
  inputs: Record<string, Artifact>;
  store: string;
  planned: Record<string, PlannedOutput>;
  /** `<store>/.work/<final output id>/`, owned by this run (owner record beside it) for resumable state. */
  workDir?: string;
  /** Progress and log lines go to stderr; stdout is kept for the final JSON line. */
  log(message: string): void;
  /** Writes one declared output atomically (no-op if it already exists). */
  write(role: string, writer: FileWriter, opts?: { backend?: Record<string, unknown> | null }): Promise<Artifact>;
}

export function stageOutputs<S extends z.ZodType>(def: StageDef<S>, config: z.output<S>): Record<string, StageOutput> {
  return typeof def.outputs === 'function' ? def.outputs(config) : def.outputs;
}

function seedOf(def: StageDef, config: unknown): number | null {
  if (!def.seedField) return null;
  const v = (config as Record<string, unknown>)[def.seedField];
  return typeof v === 'number' ? v : null;
}

/** The ids and directories a stage run will produce, computable without running it. */
export function planStage<S extends z.ZodType>(
  def: StageDef<S>,
  config: z.output<S>,
  inputIds: Record<string, string>,
  store = storeRoot(),
): Record<string, PlannedOutput> {
  return plannedOutputs(def, config, stageOutputs(def, config), inputIds, store);
}

/**
 * The planned artifacts of a stage run known by its name and algoVersion (a package stage or
 * an external command): one id per declared output from kind, role, stage, algoVersion, the
 * parsed config and the inputs' ids. Every planner (experiments, comparisons, findings) and
 * `runStage` go through here, so one stage run can never get two ids.
 */
export function plannedOutputs(
  stage: { name: string; algoVersion: string },
  config: unknown,
  outputs: Record<string, { kind: Kind }>,
  inputIds: Record<string, string>,
  store = storeRoot(),
): Record<string, PlannedOutput> {
  return Object.fromEntries(
    Object.entries(outputs).map(([role, o]) => {
      const { name, algoVersion } = stage;
      const identity = { kind: o.kind, role, stage: name, algoVersion, config, upstream: inputIds };
      return [role, { role, kind: o.kind, ...plannedArtifact(identity, store) }];
    }),
  );
}

export interface RunStageOptions {
  /** Raw config (validated here). */
  config: unknown;
  /** Input artifact directories by role. */
  inputs: Record<string, string>;
  store?: string;
  log?: (m: string) => void;
}

export interface RunStageResult {
  outputs: Record<string, PlannedOutput>;
  /** True when every output already existed, so nothing ran. */
  skipped: boolean;
}

/**
 * Validates the config, opens and verifies every input, and runs the stage unless
 * all of its content-addressed outputs already exist (so a wiped Nx cache never
 * means retraining).
 */
export async function runStage<S extends z.ZodType>(def: StageDef<S>, opts: RunStageOptions): Promise<RunStageResult> {
  const store = storeRoot(opts.store);
  const log = opts.log ?? ((m: string) => process.stderr.write(`[${def.name}] ${m}\n`));
  const config = parseConfig(def.config, opts.config, `${def.name} config`) as z.output<S>;

  const inputs: Record<string, Artifact> = {};
  for (const [key, dir] of Object.entries(opts.inputs)) {
    const base = key.includes('.') ? key.slice(0, key.indexOf('.')) : key;
    const spec = def.inputs[base];
    if (!spec || (key !== base && !spec.many))
      throw new ArtifactError(`stage ${def.name} has no input '${key}' (inputs: ${Object.keys(def.inputs).map((r) => (def.inputs[r]!.many ? `${r}.<name>` : r)).join(', ') || 'none'})`, 'bad-input');
    if (spec.many) inputs[key] = await openArtifact(dir, { kind: spec.kind });
  }
  for (const [role, spec] of Object.entries(def.inputs)) {
    if (spec.many) {
      if (!spec.optional && !Object.keys(inputs).some((k) => k.startsWith(`${role}.`)))
        throw new ArtifactError(`stage ${def.name} needs at least one '${role}.<name>' input (${spec.kind}: ${spec.description})`, 'bad-input');
      continue;
    }
    const dir = opts.inputs[role];
    if (!dir) {
      if (spec.optional) continue;
      throw new ArtifactError(`stage ${def.name} needs input '${role}' (${spec.kind}: ${spec.description})`, 'bad-input');
    }
    inputs[role] = await openArtifact(dir, { kind: spec.kind });
  }
  const inputIds = Object.fromEntries(Object.entries(inputs).map(([r, a]) => [r, a.manifest.id]));
  const planned = planStage(def, config, inputIds, store);

  const allDone = () => Object.values(planned).every((p) => existsSync(join(p.dir, MANIFEST_FILE)));
  const upToDate = async () => {
    for (const p of Object.values(planned)) await openArtifact(p.dir, { kind: p.kind });
    log(`up to date: ${Object.values(planned).map((p) => p.dir.split('/').pop()).join(', ')}`);
    return { outputs: planned, skipped: true };
  };
  if (allDone()) return upToDate();

  // One producer per artifact (docs/store-safety.md): the lock is named by the first
  // output's directory; a loser waits, then reuses the winner's artifact.
  const lockName = Object.values(planned)
    .map((p) => p.dir.split('/').pop())
    .sort()[0]!;
  const lock = await acquireLock(store, lockName, {
    done: allDone,
    log,
    purpose: `${def.name} ${lockName}`,
    onWait: (o) => log(`waiting for ${o ? `${o.host} pid ${o.pid}` : 'another worker'} computing ${lockName}`),
  });
  if (!lock || allDone()) {
    lock?.release();
    return upToDate();
  }
  if (process.env.IMP_LOCK_LOG) appendFileSync(process.env.IMP_LOCK_LOG, `produce ${def.name} ${lockName} ${process.pid}\n`);
  // The work directory is the one train already uses (`.work/<final id>/`), now with an owner record.
  const workId = (planned.final ?? Object.values(planned)[0]!).id;
  const workDir = join(store, '.work', workId);
  mkdirSync(workDir, { recursive: true });
  const ownerFile = ownerFileOf(workDir);
  const owner = ownRecord(`${def.name} ${lockName}`);
  writeOwnerFile(ownerFile, owner);
  const stopBeat = startHeartbeat(ownerFile, owner);
  try {
    return await produce(workDir);
  } catch (e) {
    // A filesystem error without a path (ENOSPC from a checkpoint write) names the work directory.
    throw withPath(e, workDir);
  } finally {
    stopBeat();
    lock.release();
    // A stage that kept no resumable state leaves only the owner record: remove the directory.
    try {
      const left = readdirSync(workDir);
      if (left.every((n) => n === OWNER_FILE || n.startsWith(`${OWNER_FILE}.`))) rmSync(workDir, { recursive: true, force: true });
    } catch {
      // already removed by the stage
    }
  }

  async function produce(workDir: string): Promise<RunStageResult> {
  const ctx: StageContext<z.output<S>> = {
    stage: def.name,
    config,
    inputs,
    store,
    planned,
    workDir,
    log,
    async write(role, writer, wopts = {}) {
      const p = planned[role];
      if (!p) throw new Error(`stage ${def.name} wrote undeclared output '${role}'`);
      const { artifact } = await writeArtifact(
        {
          kind: p.kind,
          role,
          stage: def.name,
          algoVersion: def.algoVersion,
          config,
          upstream: inputs,
          seed: seedOf(def, config),
          backend: wopts.backend ?? null,
        },
        writer,
        store,
      );
      if (artifact.dir !== p.dir) throw new Error(`internal: ${role} written to ${artifact.dir}, planned ${p.dir}`);
      return artifact;
    },
  };
  await def.run(ctx);
  for (const p of Object.values(planned))
    if (!existsSync(join(p.dir, MANIFEST_FILE))) throw new Error(`stage ${def.name} finished without writing its '${p.role}' output`);
  return { outputs: planned, skipped: false };
  }
}
