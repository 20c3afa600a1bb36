import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

function findUp(start: string): string | null {
  let d = start;
  while (!existsSync(resolve(d, 'nx.json'))) {
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
  return d;
}

/**
 * The workspace root: the nearest ancestor of the working directory holding
 * nx.json, else that of this package (so the tools also work from elsewhere).
 */
export function workspaceRoot(): string {
  return findUp(process.cwd()) ?? findUp(dirname(fileURLToPath(import.meta.url))) ?? process.cwd();
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
