// Runs one entry of the ahead-of-time build (scripts/build.mjs), rebuilding it first when
// a source changed, so a stale build never runs; falls back to the TypeScript sources
// through tsx when the build fails or IMP_TSX=1. Used by packages/cli/bin/imp.js and, as
// `node scripts/launch.mjs <entry> args…`, by the Nx plugin for its planner.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, ENTRIES, staleReason } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function compiled(name) {
  const why = staleReason(root);
  if (why) {
    try {
      if (process.env.IMP_BUILD_VERBOSE) process.stderr.write(`imp: rebuilding (${why})\n`);
      await build({ quiet: !process.env.IMP_BUILD_VERBOSE });
    } catch (e) {
      process.stderr.write(
        `imp: the build failed (${String(e.message).split('\n')[0]}); running the sources through tsx\n`,
      );
      return null;
    }
  }
  const { dir } = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8'));
  return join(root, 'dist', dir, `${name}.mjs`);
}

/** Imports entry `name` (a key of ENTRIES) from the fresh build, or its source through tsx. */
export async function launch(name) {
  const entry = process.env.IMP_TSX ? null : await compiled(name);
  if (entry) return import(pathToFileURL(entry).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(root, ENTRIES[name])).href);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const name = process.argv[2];
  if (!ENTRIES[name]) {
    process.stderr.write(`launch: unknown entry '${name}' (entries: ${Object.keys(ENTRIES).join(', ')})\n`);
    process.exit(2);
  }
  // The entry sees its own arguments as if it had been started directly.
  process.argv.splice(1, 2, join(root, ENTRIES[name]));
  await launch(name);
}
