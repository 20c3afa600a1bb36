// Builds the OpenBLAS addon with npm's bundled node-gyp. Never fails the
// install: without a compiler or libopenblas-dev the engine falls back to
// wasm/cpu (initEngine prints one warning line saying so).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function findNodeGyp() {
  const cands = [];
  if (process.env.npm_config_node_gyp) cands.push(process.env.npm_config_node_gyp);
  const npmDir = process.env.npm_execpath ? path.resolve(path.dirname(process.env.npm_execpath), '..') : null;
  if (npmDir) cands.push(path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  cands.push(
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  );
  return cands.find((c) => fs.existsSync(c));
}

const gyp = findNodeGyp();
const pkgRoot = path.resolve(__dirname, '..');
if (!gyp) {
  console.warn('[@imp/engine] node-gyp not found: native addon not built (engine will use wasm/cpu)');
  process.exit(0);
}
const args = [gyp, 'rebuild'];
// Headers of the system node (Debian nodejs ships them in /usr/include/node);
// without this node-gyp would try to download them.
if (!process.env.npm_config_nodedir && fs.existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
const r = spawnSync(process.execPath, args, { cwd: pkgRoot, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`
    .split('\n')
    .filter((l) => /error|Error/.test(l))
    .slice(-5)
    .join('\n');
  console.warn(
    `[@imp/engine] native addon build failed (engine will use wasm/cpu). Is libopenblas-dev installed?\n${tail}`,
  );
  process.exit(0);
}
console.log('[@imp/engine] native addon built: build/Release/imp_engine.node');
