// Runs one entry of the ahead-of-time build (scripts/build.mjs), rebuilding it first when
// a source changed, so a stale build never runs; falls back to the TypeScript sources
// through tsx when the build fails or IMP_TSX=1. Used by packages/cli/bin/imp.js and, as
// `node scripts/launch.mjs <entry> args…`, by the Nx plugin for its planner.
//
// The bundle is CommonJS, compiled here with vm.Script and V8's code cache kept beside it
// (`<entry>.cjs.v8cache`, written by the first process that ran without a usable one, at its
// exit, so it holds the functions that process compiled). A cache V8 rejects (another Node or
// V8 flags) is simply rewritten. The bundle's dynamic imports of external modules (vega, tfjs
// backends) call globalThis.__impImport, defined here: this module's import() is Node's own.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { build, ENTRIES, staleReason } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The test scripts/setup.sh uses to decide on npm ci. */
function nodeModulesStale() {
  try {
    return (
      statSync(join(root, 'package-lock.json')).mtimeMs >
      statSync(join(root, 'node_modules', '.package-lock.json')).mtimeMs
    );
  } catch {
    return true;
  }
}

async function compiled(name) {
  const why = staleReason(root);
  if (why) {
    try {
      if (process.env.IMP_BUILD_VERBOSE) process.stderr.write(`imp: rebuilding (${why})\n`);
      await build({ quiet: !process.env.IMP_BUILD_VERBOSE });
    } catch (e) {
      // The usual cause after a pull: a new workspace package that npm ci has not linked yet.
      // The sources would fail the same way through tsx, so say what to run instead.
      if (nodeModulesStale()) {
        process.stderr.write(
          'error: node_modules is older than package-lock.json (a dependency or workspace package changed); run `npm ci` or `npm run setup`\n',
        );
        process.exit(1);
      }
      process.stderr.write(
        `imp: the build failed (${String(e.message).split('\n')[0]}); running the sources through tsx\n`,
      );
      return null;
    }
  }
  const { dir } = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8'));
  return join(root, 'dist', dir, `${name}.cjs`);
}

/** Runs a CommonJS bundle as the main program, through V8's code cache (IMP_CODE_CACHE=0: without). */
function runBundle(file) {
  globalThis.__impImport = (specifier) => import(specifier);
  if (process.env.IMP_CODE_CACHE === '0') return createRequire(file)(file);
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // latin1: the build made the bundle pure ASCII, so this is a byte copy, no utf8 decoding.
  const script = new vm.Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData });
  if (process.env.IMP_TRACE_STARTUP)
    process.stderr.write(
      `startup: code cache ${cachedData ? (script.cachedDataRejected ? 'rejected' : 'used') : 'absent'}\n`,
    );
  if (!cachedData || script.cachedDataRejected)
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // a read-only dist/ only costs compiling again next time
      }
    });
  const module = { exports: {}, filename: file, id: '.' };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/**
 * Processes this one starts (Nx and the stage processes of `imp run`) get glibc's malloc on
 * transparent huge pages, unless GLIBC_TUNABLES is already set. First touches of fresh memory
 * cost ~3.5 ms per MB in page faults on this VM (4 KB pages: a 188 MB dataset split being
 * filled, read or written); with 2 MB pages the analysis stage took 14.8-15.4 CPU s instead of
 * 15.8-18.6 (page faults 190k → 58k), the data stage's output fill 0.1-0.4 s instead of 0.7.
 * glibc < 2.35 ignores the tunable; the kernel's THP mode 'madvise' is what it needs.
 */
function hugePagesForChildren() {
  if (process.env.GLIBC_TUNABLES === undefined) process.env.GLIBC_TUNABLES = 'glibc.malloc.hugetlb=1';
}

/** Runs entry `name` (a key of ENTRIES) from the fresh build, or its source through tsx. */
export async function launch(name) {
  hugePagesForChildren();
  const entry = process.env.IMP_TSX ? null : await compiled(name);
  if (entry) return runBundle(entry);
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
