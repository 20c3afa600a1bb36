// Local Nx plugin: every pipelines/*.{json,yaml} experiment becomes an Nx project
// whose targets are its stage runs (data → train-L0 → mask-L1 → rewind-L1 → … → report).
// The planner is TypeScript run by tsx in a child process: Nx's in-process TS
// loaders need the TypeScript compiler API, and its module hooks break tsx's.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

exports.name = 'imp-pipelines';
exports.createNodes = [
  'pipelines/*.{json,yaml,yml}',
  async (files, _options, context) => {
    if (files.length === 0) return [];
    let out;
    try {
      out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'src', 'nx-nodes-main.ts'), ...files], {
        cwd: context.workspaceRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 << 20,
      });
    } catch (e) {
      // The planner's one-line error names the experiment file and field.
      throw new Error(String(e.stderr || e.message).trim().split('\n').filter(Boolean).pop());
    }
    return JSON.parse(out);
  },
];
