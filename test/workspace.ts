import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

export const REPO = resolve(import.meta.dirname, '..');

/**
 * A throwaway Nx workspace sharing this repo's packages and node_modules, with its
 * own pipelines/, artifact store and Nx cache, so the tests run real Nx.
 */
export function makeWorkspace(experiments: Record<string, unknown>) {
  const root = mkdtempSync(join(tmpdir(), 'imp-ws-'));
  for (const f of ['nx.json', 'package.json', 'tsconfig.base.json']) cpSync(join(REPO, f), join(root, f));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(REPO, 'packages'), join(root, 'packages'));
  writeFileSync(join(root, '.gitignore'), 'node_modules\nartifacts\n.nx\n');
  mkdirSync(join(root, 'pipelines'));
  const ws = {
    root,
    store: join(root, 'artifacts', 'store'),
    write(name: string, exp: unknown) {
      writeFileSync(join(root, 'pipelines', `${name}.json`), JSON.stringify(exp, null, 2));
    },
    /** Runs `imp <args>` in the workspace; returns exit code and output. */
    imp(...args: string[]) {
      const r = spawnSync(process.execPath, [join(REPO, 'packages/cli/bin/imp.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          IMP_STORE: ws.store,
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          NX_TUI: 'false',
          CI: 'true',
        },
        maxBuffer: 64 << 20,
      });
      return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
    },
  };
  for (const [n, e] of Object.entries(experiments)) ws.write(n, e);
  return ws;
}

/** Task names Nx executed (cache misses) in an `imp run` output. */
export function executedTasks(out: string, experiment: string): string[] {
  out = out.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), '');
  const re = new RegExp(`> nx run ${experiment}--(\\S+):run(.*)$`, 'gm');
  const ran: string[] = [];
  for (const m of out.matchAll(re)) if (!/cache/.test(m[2] ?? '')) ran.push(m[1]!);
  return [...new Set(ran)];
}
