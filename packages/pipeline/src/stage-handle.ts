import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { parseConfig, type Kind, type StageDef, stageOutputs, workspaceRoot } from '@imp/artifacts';
import { packageStage } from './registry.ts';
import type { StageImpl } from './experiment-schema.ts';

/** What the planner needs of a stage, whether a package stage or an external command. */
export interface StageHandle {
  /** The name that enters artifact identities: swapping implementations changes ids. */
  name: string;
  algoVersion: string;
  inputs: Record<string, { kind: Kind; optional?: boolean; many?: boolean }>;
  /** Validated config (defaults filled) and the outputs it produces. */
  resolve(config: unknown, where: string): Promise<{ config: unknown; outputs: Record<string, { kind: Kind }> }>;
  /** argv prefix to run it as a separate process, for external schedulers. */
  argv: string[];
  def?: StageDef;
  /** Threads the stage declares it uses for a config (`--describe`'s `threads`), if it declares any. */
  threads?: (config: unknown) => number | undefined;
}

export function implLabel(impl: StageImpl): string {
  return typeof impl === 'string' ? impl : impl.command.join(' ');
}

/** A stage may declare its thread need as a number or a function of its parsed config (see threads.ts). */
function declaredThreads(def: StageDef): StageHandle['threads'] {
  const t = (def as { threads?: unknown }).threads;
  if (typeof t === 'number') return () => t;
  if (typeof t === 'function') return (c) => (t as (c: unknown) => number)(c);
  return undefined;
}

function fromDef(def: StageDef): StageHandle {
  return {
    name: def.name,
    algoVersion: def.algoVersion,
    inputs: def.inputs,
    def,
    argv: ['npx', 'imp', 'stage', def.name],
    threads: declaredThreads(def),
    async resolve(config, where) {
      const parsed = parseConfig(def.config, config, where);
      return { config: parsed, outputs: stageOutputs(def, parsed) };
    },
  };
}

interface Described {
  name: string;
  algoVersion: string;
  inputs: StageHandle['inputs'];
  outputs: Record<string, { kind: Kind }>;
  parsedConfig?: unknown;
  threads?: number;
}

/**
 * The identity of an external command: its argv plus the contents of the argv entries
 * that are files inside the workspace (a script path, a config file). Editing the
 * script changes the identity, so its `--describe` runs again; nothing else does.
 */
export function commandIdentity(argv: string[], root = workspaceRoot()): string {
  const h = createHash('sha256').update(JSON.stringify(argv));
  for (const a of argv) {
    const p = isAbsolute(a) ? a : resolve(root, a);
    const rel = relative(root, p);
    if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(p) || !statSync(p).isFile()) continue;
    h.update(`\0${rel}\0`).update(readFileSync(p));
  }
  return h.digest('hex');
}

const describeMemo = new Map<string, Described>();
/** Where `--describe` answers are kept between processes (git-ignored, next to Nx's own data). */
export const describeCacheDir = (root = workspaceRoot()) => join(root, '.nx', 'workspace-data', 'imp-describe');

/**
 * `<cmd> --describe [--config JSON]`, cached by the command's identity and the config:
 * planning an experiment runs each external command's `--describe` once, not at every
 * plan (and never for experiments a command does not plan).
 */
async function describeCommand(argv: string[], config?: unknown): Promise<Described> {
  const key = createHash('sha256')
    .update(JSON.stringify([commandIdentity(argv), config ?? null]))
    .digest('hex')
    .slice(0, 40);
  const hit = describeMemo.get(key);
  if (hit) return hit;
  const file = join(describeCacheDir(), `${key}.json`);
  if (existsSync(file)) {
    try {
      const d = JSON.parse(readFileSync(file, 'utf8')) as Described;
      describeMemo.set(key, d);
      return d;
    } catch {
      // A torn or foreign file: describe again below.
    }
  }
  const extra = config === undefined ? [] : ['--config', JSON.stringify(config)];
  const r = await execa(argv[0]!, [...argv.slice(1), '--describe', ...extra], { reject: false });
  if (r.exitCode !== 0)
    throw new Error(`stage command '${argv.join(' ')}' --describe failed: ${r.stderr.trim().split('\n').pop()}`);
  let d: Described;
  try {
    d = JSON.parse(r.stdout.trim().split('\n').pop()!) as Described;
  } catch {
    throw new Error(`stage command '${argv.join(' ')}' --describe did not print JSON as its last line`);
  }
  describeMemo.set(key, d);
  try {
    mkdirSync(describeCacheDir(), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(d));
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // An unwritable workspace only costs the next plan another --describe.
  }
  return d;
}

/** An external command honouring the contract: `<cmd> --describe [--config JSON]` prints its contract. */
async function fromCommand(argv: string[]): Promise<StageHandle> {
  const d = await describeCommand(argv);
  return {
    name: d.name,
    algoVersion: d.algoVersion,
    inputs: d.inputs,
    argv,
    threads: typeof d.threads === 'number' ? () => d.threads : undefined,
    async resolve(config) {
      const r = await describeCommand(argv, config);
      return { config: r.parsedConfig ?? config, outputs: r.outputs };
    },
  };
}

export async function stageHandle(impl: StageImpl): Promise<StageHandle> {
  return typeof impl === 'string' ? fromDef(await packageStage(impl)) : fromCommand(impl.command);
}
