import { execa } from 'execa';
import { parseConfig, type Kind, type StageDef, stageOutputs } from '@imp/artifacts';
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
}

export function implLabel(impl: StageImpl): string {
  return typeof impl === 'string' ? impl : impl.command.join(' ');
}

function fromDef(def: StageDef): StageHandle {
  return {
    name: def.name,
    algoVersion: def.algoVersion,
    inputs: def.inputs,
    def,
    argv: ['npx', 'imp', 'stage', def.name],
    async resolve(config, where) {
      const parsed = parseConfig(def.config, config, where);
      return { config: parsed, outputs: stageOutputs(def, parsed) };
    },
  };
}

const describeCache = new Map<string, unknown>();

/**
 * An external command honouring the contract: `<cmd> --describe [--config JSON]`
 * prints {name, algoVersion, inputs, outputs, parsedConfig}.
 */
async function fromCommand(argv: string[]): Promise<StageHandle> {
  const describe = async (config?: unknown) => {
    const key = JSON.stringify([argv, config ?? null]);
    if (!describeCache.has(key)) {
      const extra = config === undefined ? [] : ['--config', JSON.stringify(config)];
      const r = await execa(argv[0]!, [...argv.slice(1), '--describe', ...extra], { reject: false });
      if (r.exitCode !== 0)
        throw new Error(`stage command '${argv.join(' ')}' --describe failed: ${r.stderr.trim().split('\n').pop()}`);
      describeCache.set(key, JSON.parse(r.stdout.trim().split('\n').pop()!));
    }
    return describeCache.get(key) as {
      name: string;
      algoVersion: string;
      inputs: StageHandle['inputs'];
      outputs: Record<string, { kind: Kind }>;
      parsedConfig?: unknown;
    };
  };
  const d = await describe();
  return {
    name: d.name,
    algoVersion: d.algoVersion,
    inputs: d.inputs,
    argv,
    async resolve(config) {
      const r = await describe(config);
      return { config: r.parsedConfig ?? config, outputs: r.outputs };
    },
  };
}

export async function stageHandle(impl: StageImpl): Promise<StageHandle> {
  return typeof impl === 'string' ? fromDef(await packageStage(impl)) : fromCommand(impl.command);
}
