import type { StageDef } from '@imp/artifacts';

/**
 * The package stages. This is the one place that knows every stage package;
 * stage packages never import each other (docs/architecture.md).
 */
const MODULES: Record<string, () => Promise<Record<string, unknown>>> = {
  data: () => import('@imp/data/stage'),
  train: () => import('@imp/train/stage'),
  mask: () => import('@imp/mask/stage'),
  rewind: () => import('@imp/rewind/stage'),
  analysis: () => import('@imp/analysis/stage'),
  report: () => import('@imp/report/stage'),
  compare: () => import('@imp/report/stage'),
  aggregate: () => import('@imp/findings/stage'),
  findings: () => import('@imp/findings/stage'),
  'findings-page': () => import('@imp/report/stage'),
};

export const PACKAGE_STAGES = Object.keys(MODULES);

function isStageDef(v: unknown, name: string): v is StageDef {
  return !!v && typeof v === 'object' && (v as StageDef).name === name && typeof (v as StageDef).run === 'function';
}

/** The StageDef of a package stage, by its name. */
export async function packageStage(name: string): Promise<StageDef> {
  const load = MODULES[name];
  if (!load)
    throw new Error(
      `unknown stage '${name}' (package stages: ${PACKAGE_STAGES.join(', ')}; or give {"command": [...]})`,
    );
  const mod = await load();
  const def = Object.values(mod).find((v) => isStageDef(v, name));
  if (!def) throw new Error(`module of stage '${name}' exports no StageDef named '${name}'`);
  return def;
}
