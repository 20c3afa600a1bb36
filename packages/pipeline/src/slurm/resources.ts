import { z } from 'zod';
import { ConfigError, formatZodError } from '@imp/artifacts';

/** What one Slurm job asks for: `--cpus-per-task`, `--mem`, `--time`. */
export interface Resources {
  cpus: number;
  /** Slurm memory syntax: `4G`, `500M`. */
  mem: string;
  /** Slurm time syntax: `MM`, `HH:MM:SS`, `D-HH:MM:SS`. */
  time: string;
}

/**
 * Default resources per stage kind (the task name without its level: `train-L3` → train).
 * Training is the heavy stage (the engine uses every core it is given, and a level is
 * minutes to hours); masking, rewinding and reports are seconds of one core; the analysis
 * computes exact S maps of the first layer at every level. A StageDef may later declare
 * its own defaults; until then this table is the one place they live.
 */
export const DEFAULT_RESOURCES: Record<string, Resources> = {
  data: { cpus: 1, mem: '4G', time: '01:00:00' },
  train: { cpus: 2, mem: '4G', time: '12:00:00' },
  mask: { cpus: 1, mem: '2G', time: '00:30:00' },
  rewind: { cpus: 1, mem: '2G', time: '00:30:00' },
  analysis: { cpus: 2, mem: '8G', time: '04:00:00' },
  report: { cpus: 1, mem: '2G', time: '00:30:00' },
  compare: { cpus: 1, mem: '2G', time: '00:30:00' },
  aggregate: { cpus: 1, mem: '2G', time: '00:30:00' },
  findings: { cpus: 1, mem: '2G', time: '00:30:00' },
  'findings-page': { cpus: 1, mem: '2G', time: '00:30:00' },
};
/** For a stage kind the table does not know (none today: every task name maps to one above). */
const FALLBACK: Resources = { cpus: 1, mem: '4G', time: '04:00:00' };

const SLURM_TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$/;
const SLURM_MEM = /^\d+[KMGT]?$/;

const ResourcesOverride = z
  .object({
    cpus: z.number().int().positive().optional(),
    mem: z.string().regex(SLURM_MEM, "Slurm memory such as '4G' or '500M'").optional(),
    time: z.string().regex(SLURM_TIME, "Slurm time such as '30', '02:00:00' or '1-00:00:00'").optional(),
  })
  .strict();

/**
 * The optional `slurm` block of an experiment file. Only the executor reads it, and an
 * experiment's artifact ids never depend on it (where jobs run does not change results).
 */
export const SlurmSettings = z
  .object({
    resources: z
      .partialRecord(
        z.enum(Object.keys(DEFAULT_RESOURCES) as [string, ...string[]], {
          error: `a stage kind: ${Object.keys(DEFAULT_RESOURCES).join(', ')}`,
        }),
        ResourcesOverride,
      )
      .default({}),
    partition: z.string().min(1).optional(),
    account: z.string().min(1).optional(),
    qos: z.string().min(1).optional(),
    extra: z.array(z.string().regex(/^-/, "an sbatch flag such as '--constraint=avx2'")).default([]),
  })
  .strict();
export type SlurmSettings = z.output<typeof SlurmSettings>;

/** What the command line adds; it wins over the experiment file. */
export interface SlurmOverrides {
  partition?: string;
  account?: string;
  qos?: string;
  /** Extra sbatch flags, given as they are (`--sbatch-arg=--constraint=avx2`). */
  sbatchArgs?: string[];
}

/**
 * Reads the `slurm` block of an experiment, leniently: the experiment schema is owned by
 * the planner, so the block is looked up on the parsed (or raw) experiment object, and an
 * absent block means the defaults. A present but malformed block is an error naming the field.
 */
export function slurmSettings(experiment: unknown, where: string): SlurmSettings {
  const raw = experiment && typeof experiment === 'object' ? (experiment as { slurm?: unknown }).slurm : undefined;
  const r = SlurmSettings.safeParse(raw ?? {});
  if (!r.success) throw new ConfigError(formatZodError(r.error, `${where}: slurm`));
  return r.data;
}

/** `train-L3` → `train`, `mask-L12-s1` → `mask` (a seed's chain), `data` → `data`. */
export const stageKind = (task: string) => task.replace(/-s\d+$/, '').replace(/-L\d+$/, '');

export function resourcesFor(task: string, settings: SlurmSettings): Resources {
  const kind = stageKind(task);
  return { ...(DEFAULT_RESOURCES[kind] ?? FALLBACK), ...settings.resources[kind] };
}

/** The sbatch flags of one task's resources and placement (the command line's over the file's). */
export function resourceArgs(task: string, settings: SlurmSettings, over: SlurmOverrides = {}): string[] {
  const r = resourcesFor(task, settings);
  const partition = over.partition ?? settings.partition;
  const account = over.account ?? settings.account;
  const qos = over.qos ?? settings.qos;
  return [
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${r.cpus}`,
    `--mem=${r.mem}`,
    `--time=${r.time}`,
    ...(partition ? [`--partition=${partition}`] : []),
    ...(account ? [`--account=${account}`] : []),
    ...(qos ? [`--qos=${qos}`] : []),
    ...settings.extra,
    ...(over.sbatchArgs ?? []),
  ];
}
