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

/** Prints one clear line for expected failures (bad config, bad or tampered artifacts) and exits 1. */
export function reportFailure(e: unknown): never {
  if (e instanceof ConfigError || e instanceof ArtifactError) process.stderr.write(`error: ${e.message}\n`);
  else process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
}

/** Entry point for a stage package's `src/cli.ts`. */
export async function stageMain(def: StageDef, argv = process.argv): Promise<void> {
  try {
    await stageCommand(def).parseAsync(argv);
  } catch (e) {
    reportFailure(e);
  }
}
