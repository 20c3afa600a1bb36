import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { listArtifactDirs, readManifest, storeRoot, workspaceRoot } from '@imp/artifacts';
import { EXPERIMENT_FILE, loadExperimentFile, planComparison, planExperiment } from '@imp/pipeline';
import { formatBytes } from './format.ts';

function bytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((n, e) => n + bytes(join(p, e)), 0);
}

/** Artifact directories some experiment in pipelines/ plans, plus everything upstream of them. */
async function keptByExperiments(store: string): Promise<Set<string>> {
  const dir = join(workspaceRoot(), 'pipelines');
  const keep = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => EXPERIMENT_FILE.test(n))) {
    const loaded = loadExperimentFile(join(dir, f));
    const tasks =
      loaded.kind === 'experiment'
        ? (await planExperiment(loaded.experiment, store)).tasks
        : [await planComparison(loaded.comparison, dir, store)];
    for (const t of tasks) for (const o of Object.values(t.outputs)) keep.add(basename(o.dir));
  }
  const walk = (name: string) => {
    const d = join(store, name);
    if (!existsSync(join(d, 'manifest.json'))) return;
    for (const u of readManifest(d).upstream)
      if (!keep.has(u.dir)) {
        keep.add(u.dir);
        walk(u.dir);
      }
  };
  for (const k of [...keep]) walk(k);
  return keep;
}

/**
 * `imp gc`: removes what no reader can use: leftovers of crashed writes (`.tmp/`),
 * checkpoints of runs that will not resume (`.work/`), and with --unreferenced every
 * artifact no experiment in pipelines/ plans (nor needs upstream).
 */
async function gc(opts: { dryRun?: boolean; unreferenced?: boolean; store?: string }) {
  const store = storeRoot(opts.store);
  const doomed: string[] = [];
  for (const sub of ['.tmp', '.work']) {
    const d = join(store, sub);
    if (existsSync(d)) for (const e of readdirSync(d)) doomed.push(join(d, e));
  }
  if (opts.unreferenced) {
    const keep = await keptByExperiments(store);
    for (const d of listArtifactDirs(store)) if (!keep.has(basename(d))) doomed.push(d);
  }
  let total = 0;
  for (const d of doomed) {
    const n = bytes(d);
    total += n;
    console.log(`${opts.dryRun ? 'would remove' : 'removed'}  ${d.slice(store.length + 1)}  ${formatBytes(n)}`);
    if (!opts.dryRun) rmSync(d, { recursive: true, force: true });
  }
  console.log(`${doomed.length} entries, ${formatBytes(total)}${opts.dryRun ? ' (dry run)' : ''}`);
}

export function addGcCommand(program: Command) {
  program
    .command('gc')
    .description(
      'remove crashed-write leftovers and stale checkpoints; --unreferenced also removes artifacts no experiment uses',
    )
    .option('--unreferenced', 'also remove artifacts that no experiment in pipelines/ plans or needs upstream')
    .option('-n, --dry-run', 'only list what would be removed')
    .option('--store <dir>', 'artifact store')
    .action(gc);
}
