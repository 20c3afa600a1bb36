// Local Nx plugin: every pipelines/*.{json,yaml} experiment becomes an Nx project
// whose targets are its stage runs (data → train-L0 → mask-L1 → rewind-L1 → … → report).
// The planner is TypeScript run by tsx in a child process (Nx's in-process TS loaders
// need the TypeScript compiler API, and its module hooks break tsx's). Its answer is
// memoised on disk under a hash of everything it reads: the experiment files, the
// packages' sources (stage schemas and algorithm versions) and the store location.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function hashSources(h, dir) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashSources(h, p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) h.update(p).update(readFileSync(p));
  }
}

function planKey(files, root) {
  const h = createHash('sha256');
  h.update(JSON.stringify([process.env.IMP_STORE ?? '', root]));
  for (const f of [...files].sort()) h.update(f).update(readFileSync(join(root, f)));
  const pkgs = join(root, 'packages');
  for (const p of readdirSync(pkgs).sort()) if (existsSync(join(pkgs, p, 'src'))) hashSources(h, join(pkgs, p, 'src'));
  return h.digest('hex').slice(0, 32);
}

exports.name = 'imp-pipelines';
exports.createNodes = [
  'pipelines/*.{json,yaml,yml}',
  async (files, _options, context) => {
    if (files.length === 0) return [];
    const root = context.workspaceRoot;
    const memo = join(root, '.nx', 'workspace-data', `imp-plan-${planKey(files, root)}.json`);
    if (existsSync(memo)) return JSON.parse(readFileSync(memo, 'utf8'));
    let out;
    try {
      out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'src', 'nx-nodes-main.ts'), ...files], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 << 20,
      });
    } catch (e) {
      // The planner's one-line error names the experiment file and field.
      throw new Error(
        String(e.stderr || e.message)
          .trim()
          .split('\n')
          .filter(Boolean)
          .pop(),
        { cause: e },
      );
    }
    const nodes = JSON.parse(out);
    mkdirSync(join(root, '.nx', 'workspace-data'), { recursive: true });
    writeFileSync(`${memo}.tmp`, out);
    renameSync(`${memo}.tmp`, memo);
    return nodes;
  },
];
