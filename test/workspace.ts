import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

export const REPO = resolve(import.meta.dirname, '..');

/** The rewind stage as an external command (test/fixtures/alt-rewind.ts). */
export const ALT_REWIND = { command: [process.execPath, '--import', 'tsx', join(REPO, 'test/fixtures/alt-rewind.ts')] };

/** The data block of the tiny MNIST experiments the end-to-end tests run (600 train, 200 val images). */
export const tinyMnistData = () => ({
  config: {
    source: { name: 'mnist' },
    transforms: [
      { name: 'subset', split: 'train', n: 600 },
      { name: 'subset', split: 'val', n: 200 },
    ],
  },
});

/**
 * A throwaway Nx workspace sharing this repo's packages and node_modules, with its
 * own pipelines/, artifact store and Nx cache, so the tests run real Nx.
 */
export function makeWorkspace(experiments: Record<string, unknown>, opts: { store?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'imp-ws-'));
  for (const f of ['nx.json', 'package.json', 'tsconfig.base.json']) cpSync(join(REPO, f), join(root, f));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(REPO, 'packages'), join(root, 'packages'));
  symlinkSync(join(REPO, 'scripts'), join(root, 'scripts'));
  writeFileSync(join(root, '.gitignore'), 'node_modules\nartifacts\n.nx\n');
  mkdirSync(join(root, 'pipelines'));
  const env = (extra: Record<string, string>) => ({
    ...process.env,
    IMP_STORE: ws.store,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    CI: 'true',
    ...extra,
  });
  const ws = {
    root,
    store: opts.store ?? join(root, 'artifacts', 'store'),
    write(name: string, exp: unknown, file = `${name}.json`) {
      writeFileSync(join(root, 'pipelines', file), JSON.stringify(exp, null, 2));
    },
    /** Runs `imp <args>` in the workspace; returns exit code and output. */
    imp(...args: string[]) {
      return ws.impEnv({}, ...args);
    },
    impEnv(extra: Record<string, string>, ...args: string[]) {
      const r = spawnSync(process.execPath, [join(REPO, 'packages/cli/bin/imp.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: env(extra),
        maxBuffer: 64 << 20,
      });
      return { code: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
    },
    /** Runs the workspace's `nx <args>`. */
    nx(...args: string[]) {
      const r = spawnSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: env({}),
        maxBuffer: 64 << 20,
      });
      return { code: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
    },
    /** Starts `imp <args>` without waiting (for signal tests). */
    spawnImp(extra: Record<string, string>, ...args: string[]) {
      return spawn(process.execPath, [join(REPO, 'packages/cli/bin/imp.js'), ...args], {
        cwd: root,
        env: env(extra),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
  for (const [n, e] of Object.entries(experiments)) ws.write(n, e);
  return ws;
}

/** Task names Nx executed in an `imp run` output. */
export function executedTasks(out: string, experiment: string): string[] {
  out = out.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), '');
  const re = new RegExp(`> nx run ${experiment}--(\\S+):run(.*)$`, 'gm');
  const ran: string[] = [];
  for (const m of out.matchAll(re)) if (!/cache/.test(m[2] ?? '')) ran.push(m[1]!);
  return [...new Set(ran)];
}
