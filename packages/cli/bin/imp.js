#!/usr/bin/env node
// The `imp` command. It runs the ahead-of-time build in dist/ (scripts/build.mjs), so a
// stage process starts without compiling TypeScript. The build is checked against the
// sources' sizes and mtimes at every start and rebuilt when they changed: a stale build
// never runs. IMP_TSX=1 runs the TypeScript sources through tsx instead (no build).
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function compiledEntry() {
  const { build, staleReason } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  const why = staleReason(root);
  if (why) {
    try {
      if (process.env.IMP_BUILD_VERBOSE) process.stderr.write(`imp: rebuilding (${why})\n`);
      await build({ quiet: !process.env.IMP_BUILD_VERBOSE });
    } catch (e) {
      process.stderr.write(`imp: the build failed (${e.message.split('\n')[0]}); running the sources through tsx\n`);
      return null;
    }
  }
  const { dir } = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8'));
  return join(root, 'dist', dir, 'imp.mjs');
}

const entry = process.env.IMP_TSX ? null : await compiledEntry();
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
