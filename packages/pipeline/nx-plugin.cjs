// Local Nx plugin: experiment files become Nx projects, one per stage run
// (docs/architecture.md, "Pipelines and Nx").
//
// Two modes:
// - `imp run` sets IMP_NX_SCOPE to a JSON file holding exactly the stage runs it wants
//   executed (those whose artifacts are missing) and their edges. The plugin returns
//   them as they are: no planning, and the cost does not grow with the number of
//   experiment files in the workspace.
// - Otherwise (`nx graph`, `nx show projects`, a plain `nx run`) every experiment file
//   is planned. The planner is TypeScript run by tsx in a child process (Nx's in-process
//   TS loaders need the TypeScript compiler API, and its module hooks break tsx's); its
//   answer is memoised per file under .nx/workspace-data/imp-nodes/, keyed by the
//   contents of the files that answer was computed from (the file, its `extends` chain,
//   external stage scripts), of the packages' sources (schemas, algorithm versions), and of
//   the external inputs whose content entered its ids (photo folders, mapping files): those
//   by the stat stamp of every file, as @imp/artifacts' content-hash cache keys them, so a
//   replaced photo replans without hashing anything here.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const sha = (data) => createHash('sha256').update(data).digest('hex');

function hashSources(h, dir) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashSources(h, p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) h.update(p).update(readFileSync(p));
  }
}

/** Everything every plan depends on besides its own files: package sources, store, root. */
function sourcesKey(root) {
  const h = createHash('sha256');
  h.update(JSON.stringify(['imp-nodes-3', process.env.IMP_STORE ?? '', root]));
  const pkgs = join(root, 'packages');
  for (const p of readdirSync(pkgs).sort()) if (existsSync(join(pkgs, p, 'src'))) hashSources(h, join(pkgs, p, 'src'));
  h.update(readFileSync(__filename));
  return h.digest('hex');
}

/** Same string as content-hash.ts `stampOf`: any write changes it (ctime), even one restoring the mtime. */
const statStamp = (st) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

/** Files under a folder as content-hash.ts walks them: sorted, following symlinks. */
function walkFiles(dir, base, out) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    const st = statSync(p);
    if (st.isDirectory()) walkFiles(p, base, out);
    else if (st.isFile()) out[relative(base, p)] = statStamp(st);
  }
  return out;
}

/** The stamps of an external input now, in the planner's format (`takeObservedContentInputs`). */
function inputStamps(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return null;
  }
  return st.isDirectory() ? walkFiles(path, path, {}) : { '': statStamp(st) };
}

/** Every external input the memo was planned from is unchanged. */
const inputsUnchanged = (inputs) =>
  Object.entries(inputs ?? {}).every(([p, stamps]) => JSON.stringify(inputStamps(p)) === JSON.stringify(stamps));

const fileHash = (root, rel) => {
  try {
    return sha(readFileSync(join(root, rel)));
  } catch {
    return null;
  }
};

/**
 * The planner, run in a child process over the files it is given. The one place that
 * names the planner's entry point (so it can move to a compiled build).
 */
function runPlanner(root, files) {
  try {
    return JSON.parse(
      execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'launch.mjs'), 'nx-nodes', ...files], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 << 20,
      }),
    );
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
}

function writeAtomic(path, text) {
  writeFileSync(`${path}.${process.pid}.tmp`, text);
  renameSync(`${path}.${process.pid}.tmp`, path);
}

function allExperiments(files, root) {
  const memoDir = join(root, '.nx', 'workspace-data', 'imp-nodes');
  const key = sourcesKey(root);
  const memoPath = (f) => join(memoDir, `${sha(f).slice(0, 32)}.json`);
  const results = new Map();
  const misses = [];
  for (const f of files) {
    let m;
    try {
      m = JSON.parse(readFileSync(memoPath(f), 'utf8'));
    } catch {
      m = null;
    }
    if (
      m &&
      m.key === key &&
      Object.entries(m.reads).every(([r, h]) => fileHash(root, r) === h) &&
      inputsUnchanged(m.inputs)
    )
      results.set(f, m.projects);
    else misses.push(f);
  }
  if (misses.length) {
    mkdirSync(memoDir, { recursive: true });
    for (const [f, { projects, reads, inputs }] of runPlanner(root, misses)) {
      results.set(f, projects);
      const hashes = Object.fromEntries(reads.map((r) => [r, fileHash(root, r)]));
      writeAtomic(memoPath(f), JSON.stringify({ key, reads: hashes, inputs, projects }));
    }
  }
  return files.map((f) => [f, { projects: results.get(f) }]);
}

function scoped(scopeFile, files) {
  const scope = JSON.parse(readFileSync(scopeFile, 'utf8'));
  const projects = Object.fromEntries(scope.projects.map((p) => [p.root, p]));
  return [[files[0], { projects }]];
}

exports.name = 'imp-pipelines';
exports.createNodes = [
  '{nx.json,pipelines/*.{json,yaml,yml}}',
  async (files, _options, context) => {
    const root = context.workspaceRoot;
    if (process.env.IMP_NX_SCOPE) return scoped(process.env.IMP_NX_SCOPE, files);
    const exps = files.filter((f) => f.startsWith('pipelines/'));
    return exps.length ? allExperiments(exps, root) : [];
  },
];

/** Edges between stage runs, from each project's `metadata.impDependsOn`. */
exports.createDependencies = async (_options, context) => {
  const names = new Set(Object.values(context.projects).map((p) => p.name));
  const deps = [];
  for (const p of Object.values(context.projects))
    for (const d of p.metadata?.impDependsOn ?? [])
      if (names.has(d)) deps.push({ source: p.name, target: d, type: 'implicit' });
  return deps;
};
