import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Command } from 'commander';
import {
  listArtifactDirs,
  ownerAlive,
  ownerFileOf,
  ownerTimeoutMs,
  readManifest,
  readOwnerFile,
  removeTree,
  storeRoot,
  workspaceRoot,
} from '@imp/artifacts';
import { EXPERIMENT_FILE, fileTasks, loadExperimentFile } from '@imp/pipeline';
import { formatBytes } from './format.ts';

/** Size of a tree, never following symlinks (a loop cannot crash gc). */
function bytes(p: string): number {
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let names: string[];
  try {
    names = readdirSync(p);
  } catch {
    return 0;
  }
  return names.reduce((n, e) => n + bytes(join(p, e)), 0);
}

/** An entry without an owner record is dead only once older than this (a writer may be just starting). */
const GRACE_MS = 60 * 60 * 1000;

/**
 * Why a `.tmp`/`.work`/`.locks` entry may go, or null if its owner is alive. Lock files
 * hold their owner record; directories hold `.owner.json`.
 */
function deadReason(entry: string, now = Date.now()): string | null {
  const st = lstatSync(entry);
  const rec = readOwnerFile(st.isDirectory() ? ownerFileOf(entry) : entry);
  if (rec) return ownerAlive(rec) ? null : `owner ${rec.host} pid ${rec.pid} is gone`;
  const age = now - st.mtimeMs;
  return age > GRACE_MS ? `no owner record, ${Math.round(age / 60000)} min old` : null;
}

/** A store other workspaces may use: IMP_STORE set, or outside this workspace. */
function maybeShared(store: string): boolean {
  return !!process.env.IMP_STORE || relative(workspaceRoot(), store).startsWith('..');
}

/** Artifact directories some experiment in pipelines/ plans, plus everything upstream of them. */
async function keptByExperiments(store: string): Promise<Set<string>> {
  const dir = join(workspaceRoot(), 'pipelines');
  const keep = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => EXPERIMENT_FILE.test(n))) {
    const tasks = await fileTasks(loadExperimentFile(join(dir, f)), dir, store);
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
 * checkpoints of runs that will not resume (`.work/`) and stale locks (`.locks/`), but
 * only those whose owner is dead (docs/store-safety.md); --force removes live ones too.
 * With --unreferenced, every artifact no experiment in pipelines/ plans (nor needs
 * upstream); on a store other workspaces may use that needs --shared-store-ok.
 */
async function gc(opts: {
  dryRun?: boolean;
  unreferenced?: boolean;
  sharedStoreOk?: boolean;
  force?: boolean;
  store?: string;
}) {
  const store = storeRoot(opts.store);
  const doomed: Array<{ path: string; why: string }> = [];
  let kept = 0;
  for (const sub of ['.tmp', '.work', '.locks']) {
    const d = join(store, sub);
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const why = deadReason(p);
      if (why) doomed.push({ path: p, why });
      else if (opts.force) doomed.push({ path: p, why: 'live owner, --force' });
      else kept++;
    }
  }
  if (opts.unreferenced) {
    if (maybeShared(store) && !opts.sharedStoreOk)
      throw new Error(
        `${store} may be shared with other workspaces (IMP_STORE is set or it is outside ${workspaceRoot()}): artifacts their experiments use would look unreferenced here. Add --shared-store-ok to delete anyway.`,
      );
    const keep = await keptByExperiments(store);
    const extra = listArtifactDirs(store).filter((d) => !keep.has(basename(d)));
    // Always say what will go before anything goes.
    for (const d of extra) console.log(`unreferenced  ${basename(d)}  ${formatBytes(bytes(d))}`);
    for (const d of extra) doomed.push({ path: d, why: 'unreferenced' });
  }
  let total = 0;
  for (const { path, why } of doomed) {
    const n = bytes(path);
    total += n;
    console.log(
      `${opts.dryRun ? 'would remove' : 'removed'}  ${path.slice(store.length + 1)}  ${formatBytes(n)}  (${why})`,
    );
    if (!opts.dryRun) removeTree(path);
  }
  console.log(
    `${doomed.length} entries, ${formatBytes(total)}${opts.dryRun ? ' (dry run)' : ''}${kept ? `; kept ${kept} with a live owner (--force removes them)` : ''}`,
  );
}

export function addGcCommand(program: Command) {
  program
    .command('gc')
    .description(
      `remove leftovers of dead writers (.tmp, .work, .locks; live owners are kept, entries without an owner record after ${GRACE_MS / 60000} min, other hosts after a heartbeat timeout of ${ownerTimeoutMs() / 1000} s); --unreferenced also removes artifacts no experiment uses`,
    )
    .option('--unreferenced', 'also remove artifacts that no experiment in pipelines/ plans or needs upstream')
    .option(
      '--shared-store-ok',
      'allow --unreferenced on a store other workspaces may use (IMP_STORE, or outside the workspace)',
    )
    .option('--force', 'also remove .tmp/.work/.locks entries whose owner is alive')
    .option('-n, --dry-run', 'only list what would be removed')
    .option('--store <dir>', 'artifact store')
    .action(gc);
}
