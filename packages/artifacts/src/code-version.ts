import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The workspace root: the nearest ancestor of this package holding nx.json. */
export function workspaceRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(d, 'nx.json'))) {
    const up = dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
  return d;
}

/** `git:<sha>[+dirty]` of the workspace, or `unknown` outside a checkout. Recorded, never hashed. */
export function codeVersion(): string {
  if (cached) return cached;
  try {
    const cwd = workspaceRoot();
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    cached = `git:${sha}${dirty ? '+dirty' : ''}`;
  } catch {
    cached = process.env.IMP_CODE_VERSION ?? 'unknown';
  }
  return cached;
}
