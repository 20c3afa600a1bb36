// Local Nx plugin: every pipelines/*.{json,yaml} experiment becomes an Nx project
// whose targets are its stage runs (data → train-L0 → mask-L1 → rewind-L1 → … → report).
// The planner is TypeScript; tsx loads it here because Nx's own TS loaders need the
// TypeScript compiler API.
const { join } = require('node:path');
const { tsImport } = require('tsx/esm/api');

exports.name = 'imp-pipelines';
exports.createNodes = [
  'pipelines/*.{json,yaml,yml}',
  async (files, _options, context) => {
    const mod = await tsImport(join(__dirname, 'src', 'nx-nodes.ts'), __filename);
    return mod.createNodesFor(files, context.workspaceRoot);
  },
];
