import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatZodError } from '@imp/artifacts';
import { Comparison, Experiment, FindingsFile } from './experiment-schema.ts';

export const EXPERIMENT_FILE = /\.(json|ya?ml)$/;

function readObject(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError(`experiment file ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  let v: unknown;
  try {
    v = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${path}: cannot parse (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(`${path}: expected an object at the top level`);
  return v as Record<string, unknown>;
}

/** Objects merge key by key; anything else (arrays included) is replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return over === undefined ? base : over;
}

function resolveExtends(path: string, seen: string[] = []): Record<string, unknown> {
  const abs = resolve(path);
  if (seen.includes(abs))
    throw new ConfigError(`${path}: 'extends' cycle through ${seen.map((s) => basename(s)).join(' → ')}`);
  const raw = readObject(abs);
  if (typeof raw.extends !== 'string') return raw;
  const parent = resolveExtends(join(dirname(abs), raw.extends), [...seen, abs]);
  const { extends: _e, ...rest } = raw;
  const { name: _n, description: _d, ...inherit } = parent;
  return deepMerge(inherit, rest) as Record<string, unknown>;
}

export type LoadedFile =
  | { kind: 'experiment'; path: string; experiment: Experiment }
  | { kind: 'comparison'; path: string; comparison: Comparison }
  | { kind: 'findings'; path: string; findings: FindingsFile };

/** The name a loaded pipelines file gives itself, whatever its kind. */
export const loadedName = (l: LoadedFile): string =>
  l.kind === 'experiment' ? l.experiment.name : l.kind === 'comparison' ? l.comparison.name : l.findings.name;

/** Loads and validates an experiment, comparison or findings file; errors name the file and field. */
export function loadExperimentFile(path: string): LoadedFile {
  const raw = resolveExtends(path);
  if ('claims' in raw) {
    const r = FindingsFile.safeParse(raw);
    if (!r.success) throw new ConfigError(formatZodError(r.error, path));
    return { kind: 'findings', path: resolve(path), findings: r.data };
  }
  if ('compare' in raw) {
    const r = Comparison.safeParse(raw);
    if (!r.success) throw new ConfigError(formatZodError(r.error, path));
    return { kind: 'comparison', path: resolve(path), comparison: r.data };
  }
  const r = Experiment.safeParse(raw);
  if (!r.success) throw new ConfigError(formatZodError(r.error, path));
  return { kind: 'experiment', path: resolve(path), experiment: r.data };
}

/** The own `name` of an experiment file (not inherited through `extends`), if it parses. */
function ownName(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const v = (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as { name?: unknown } | null;
    return typeof v?.name === 'string' ? v.name : undefined;
  } catch {
    return undefined; // an unreadable file fails with its own error when it is loaded
  }
}

/**
 * Two files in pipelines/ with the same `name` would share their Nx projects and report
 * path, so one would silently run the other's config: that is an error naming both files.
 */
export function checkExperimentNames(pipelinesDir: string): void {
  if (!existsSync(pipelinesDir)) return;
  const byName = new Map<string, string>();
  for (const f of readdirSync(pipelinesDir)
    .filter((n) => EXPERIMENT_FILE.test(n))
    .sort()) {
    const name = ownName(join(pipelinesDir, f));
    if (name === undefined) continue;
    const other = byName.get(name);
    if (other)
      throw new ConfigError(
        `experiment name '${name}' is used by two files: ${join(pipelinesDir, other)} and ${join(pipelinesDir, f)} (names must be unique)`,
      );
    byName.set(name, f);
  }
}

/** Finds an experiment by file path or by name in pipelines/ (whose names must be unique). */
export function findExperimentFile(ref: string, pipelinesDir: string): string {
  checkExperimentNames(pipelinesDir);
  if (existsSync(ref)) return resolve(ref);
  const hit = readdirSync(pipelinesDir).find((f) => EXPERIMENT_FILE.test(f) && f.replace(EXPERIMENT_FILE, '') === ref);
  if (!hit) throw new ConfigError(`no experiment '${ref}' (not a file, and no ${ref}.json|yaml in ${pipelinesDir})`);
  return join(pipelinesDir, hit);
}
