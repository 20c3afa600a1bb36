import { Command } from 'commander';
import { z } from 'zod';
import { ArtifactError } from './errors.ts';
import { ConfigError, applyOverrides, loadConfigArg, parseConfig, schemaHelp } from './config.ts';
import { openArtifact, storeRoot } from './store.ts';
import { planStage, runStage, stageOutputs, type StageDef } from './stage.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

function parseInputs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--in '${p}': expected role=artifact-dir`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** What `--describe` prints: everything a pipeline needs to plan a stage without running it. */
export function describeStage(def: StageDef, config?: unknown) {
  const cfg = config === undefined ? undefined : parseConfig(def.config, config, `${def.name} config`);
  return {
    name: def.name,
    algoVersion: def.algoVersion,
    description: def.description,
    inputs: def.inputs,
    outputs: cfg === undefined ? (typeof def.outputs === 'function' ? 'depends on config' : def.outputs) : stageOutputs(def, cfg),
    ...(cfg === undefined ? {} : { parsedConfig: cfg }),
    config: z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }),
  };
}

/** Builds the commander program of one stage; help is generated from its zod schema. */
interface StageCliOptions {
  config?: string;
  set: string[];
  in: string[];
  store?: string;
  describe?: boolean;
  plan?: boolean;
}

export function stageCommand(def: StageDef, name = def.name): Command {
  return new Command(name)
    .description(def.description)
    .option('-c, --config <json|file>', 'stage config: a JSON file or inline JSON')
    .option('-s, --set <key=value>', 'override one config field (dotted path; JSON values)', collect, [])
    .option('-i, --in <role=dir>', 'an input artifact', collect, [])
    .option('--store <dir>', 'artifact store (default $IMP_STORE or artifacts/store)')
    .option('--describe', 'print the stage contract (inputs, outputs, config schema) as JSON')
    .option('--plan', 'print the output artifact directories as JSON without running')
    .addHelpText(
      'after',
      `\nInputs:\n${Object.entries(def.inputs).map(([r, i]) => `  ${r}  (${i.kind}${i.optional ? ', optional' : ''})  ${i.description}`).join('\n') || '  none'}` +
        `\n\nConfig fields (algorithm version ${def.algoVersion}):\n${schemaHelp(def.config)}\n`,
    )
    .action(async (o: StageCliOptions) => {
      const raw = applyOverrides(loadConfigArg(o.config), o.set);
      if (o.describe) {
        console.log(JSON.stringify(describeStage(def, o.config || o.set.length ? raw : undefined)));
        return;
      }
      const inputs = parseInputs(o.in);
      if (o.plan) {
        const cfg = parseConfig(def.config, raw, `${def.name} config`);
        const ids: Record<string, string> = {};
        for (const [role, dir] of Object.entries(inputs))
          ids[role] = (await openArtifact(dir, { verify: false })).manifest.id;
        console.log(JSON.stringify({ stage: def.name, outputs: planStage(def, cfg, ids, storeRoot(o.store)) }));
        return;
      }
      const r = await runStage(def, { config: raw, inputs, store: o.store });
      const outputs = Object.fromEntries(Object.entries(r.outputs).map(([k, p]) => [k, p.dir]));
      console.log(JSON.stringify({ stage: def.name, skipped: r.skipped, outputs }));
    });
}

const FS_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** Whether traces are wanted: `--debug` on the command line or IMP_DEBUG=1. */
export function debugWanted(argv = process.argv): boolean {
  return argv.includes('--debug') || process.env.IMP_DEBUG === '1';
}

/**
 * One line for a failure: config and artifact errors as they are, filesystem errors
 * with their path and a plain reason, anything else with its message. The stack is
 * shown only with --debug / IMP_DEBUG=1.
 */
export function failureMessage(e: unknown, debug = debugWanted()): string {
  if (e instanceof ConfigError || e instanceof ArtifactError) return e.message + (debug && e.stack ? `\n${e.stack}` : '');
  const err = e as NodeJS.ErrnoException;
  let msg: string;
  if (err && typeof err.code === 'string' && FS_ERRORS[err.code]) {
    const where = err.path ?? (err as { dest?: string }).dest ?? '(path unknown)';
    msg = `${where}: ${FS_ERRORS[err.code]} (${err.code}${err.syscall ? `, ${err.syscall}` : ''})`;
  } else msg = err instanceof Error ? err.message : String(e);
  return msg + (debug && err instanceof Error && err.stack ? `\n${err.stack}` : '');
}

/** Prints one clear line for a failure (no stack unless --debug / IMP_DEBUG=1) and exits 1. */
export function reportFailure(e: unknown): never {
  process.stderr.write(`error: ${failureMessage(e)}\n`);
  process.exit(1);
}

/** Removes `--debug` from argv (any position) and sets IMP_DEBUG=1, which child processes inherit. */
export function takeDebugFlag(argv: string[]): string[] {
  if (!argv.includes('--debug')) return argv;
  process.env.IMP_DEBUG = '1';
  return argv.filter((a) => a !== '--debug');
}

/**
 * A reader that closed the pipe (`imp verify --all | head`) is not an error: exit 0
 * quietly instead of throwing EPIPE from the next write.
 */
export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    reportFailure(e);
  });
}

/** Entry point for a stage package's `src/cli.ts`. */
export async function stageMain(def: StageDef, argv = process.argv): Promise<void> {
  exitQuietlyOnEpipe();
  argv = takeDebugFlag(argv);
  try {
    await stageCommand(def).parseAsync(argv);
  } catch (e) {
    reportFailure(e);
  }
}
