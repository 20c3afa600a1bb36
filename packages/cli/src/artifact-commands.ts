import { statSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import {
  listArtifactDirs,
  checkIdentity,
  checkUpstream,
  openArtifact,
  readArrowFile,
  readManifest,
  resolveArtifactRef,
  storeRoot,
  verifyFiles,
  MANIFEST_FILE,
  ArtifactError,
} from '@imp/artifacts';
import { existsSync } from 'node:fs';
import { formatAge, formatBytes, summarizeConfig, table } from './format.ts';

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** `imp show`: manifest, Arrow schema, row counts and a preview of every table. */
async function show(ref: string, opts: { json?: boolean; store?: string; rows: string }) {
  const a = await openArtifact(resolveArtifactRef(ref, storeRoot(opts.store)));
  const files = a.manifest.files.map((f) => {
    if (!f.path.endsWith('.arrow')) return { ...f };
    const t = readArrowFile(a.file(f.path));
    const n = Number(opts.rows);
    const preview = Array.from({ length: Math.min(n, t.numRows) }, (_, i) => {
      const row = t.get(i)!.toJSON() as Record<string, unknown>;
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, previewValue(v)]));
    });
    return {
      ...f,
      rows: t.numRows,
      schema: t.schema.fields.map((fl) => `${fl.name}: ${fl.type}`),
      metadata: Object.fromEntries(t.schema.metadata),
      preview,
    };
  });
  if (opts.json) return console.log(JSON.stringify({ dir: a.dir, manifest: a.manifest, files }, null, 2));
  const m = a.manifest;
  console.log(`${basename(a.dir)}  (${m.kind}, role ${m.role}, stage ${m.stage} v${m.algoVersion})`);
  console.log(
    `  id        ${m.id}\n  created   ${m.createdAt}  code ${m.codeVersion}  backend ${m.backend ? JSON.stringify(m.backend) : '-'}  seed ${m.seed ?? '-'}`,
  );
  console.log(`  config    ${JSON.stringify(m.config)}`);
  for (const u of m.upstream) console.log(`  upstream  ${u.role} ← ${u.dir}`);
  if (Object.keys(m.summary).length) console.log(`  summary   ${JSON.stringify(m.summary).slice(0, 600)}`);
  for (const f of files) {
    console.log(`  file ${f.path}  ${formatBytes(f.bytes)}  sha256 ${f.sha256.slice(0, 12)}…`);
    if ('rows' in f) {
      console.log(`    ${f.rows} rows; schema: ${f.schema.join(', ')}`);
      for (const r of f.preview) console.log(`    ${JSON.stringify(r)}`);
    }
  }
}

function previewValue(v: unknown): unknown {
  if (v && typeof v === 'object' && 'toArray' in (v as object))
    v = Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
  if (ArrayBuffer.isView(v)) v = Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v) && v.length > 8) return [...v.slice(0, 8), `… ${v.length} values`];
  return typeof v === 'bigint' ? Number(v) : v;
}

/** `imp verify`: exit 0 only if every file of every named artifact checks out. */
async function verify(refs: string[], opts: { all?: boolean; store?: string }) {
  const store = storeRoot(opts.store);
  const dirs = opts.all ? listArtifactDirs(store) : refs.map((r) => resolveArtifactRef(r, store));
  if (!dirs.length)
    throw new ArtifactError(opts.all ? `no artifacts in ${store}` : 'name an artifact, or pass --all', 'bad-input');
  let bad = 0;
  for (const d of dirs) {
    try {
      const m = readManifest(d);
      // Identity (id recomputes, directory name matches) and confinement, each by name.
      checkIdentity(d, m);
      await verifyFiles(d, m);
      // Its upstreams must still be what it was made from (same id, same files): an upstream
      // recomputed to the same bytes passes, one with other files fails (docs/store-safety.md).
      const notes = m.upstream.map((u) => checkUpstream(d, u, store)).filter((w): w is string => !!w);
      for (const w of notes) console.log(`note  ${basename(d)}: ${w}`);
      console.log(`ok    ${basename(d)}`);
    } catch (e) {
      bad++;
      const code = e instanceof ArtifactError ? ` [${e.code}]` : '';
      console.log(`FAIL  ${basename(d)}${code}: ${(e as Error).message}`);
    }
  }
  console.log(`${dirs.length - bad} ok, ${bad} failed`);
  if (bad) process.exitCode = 1;
}

function ls(opts: { json?: boolean; store?: string; kind?: string }) {
  const rows = listArtifactDirs(storeRoot(opts.store)).flatMap((d) => {
    const m = readManifest(d);
    if (opts.kind && m.kind !== opts.kind) return [];
    return [
      {
        name: basename(d),
        kind: m.kind,
        stage: m.stage,
        role: m.role,
        config: summarizeConfig(m.config),
        bytes: dirBytes(d),
        created: m.createdAt,
      },
    ];
  });
  if (opts.json) return console.log(JSON.stringify(rows, null, 2));
  console.log(
    table(
      ['artifact', 'kind', 'stage/role', 'config', 'size', 'age'],
      rows.map((r) => [r.name, r.kind, `${r.stage}/${r.role}`, r.config, formatBytes(r.bytes), formatAge(r.created)]),
    ),
  );
  console.log(`${rows.length} artifacts`);
}

function lineage(ref: string, opts: { store?: string; json?: boolean }) {
  const store = storeRoot(opts.store);
  const seen = new Set<string>();
  const nodes: {
    depth: number;
    name: string;
    kind: string;
    stage: string;
    role: string;
    via: string;
    missing?: boolean;
  }[] = [];
  const walk = (dir: string, depth: number, via: string) => {
    const name = basename(dir);
    if (!existsSync(join(dir, MANIFEST_FILE)))
      return void nodes.push({ depth, name, kind: '?', stage: '?', role: '?', via, missing: true });
    const m = readManifest(dir);
    nodes.push({ depth, name, kind: m.kind, stage: m.stage, role: m.role, via });
    if (seen.has(name)) return;
    seen.add(name);
    for (const u of m.upstream) walk(join(store, u.dir), depth + 1, u.role);
  };
  walk(resolveArtifactRef(ref, store), 0, '');
  if (opts.json) return console.log(JSON.stringify(nodes, null, 2));
  for (const n of nodes)
    console.log(
      `${'  '.repeat(n.depth)}${n.via ? `${n.via} ← ` : ''}${n.name}  (${n.stage}/${n.role})${n.missing ? '  MISSING' : ''}`,
    );
}

export function addArtifactCommands(program: Command) {
  program
    .command('show <artifact>')
    .description('manifest, schema, row counts and a preview of an artifact')
    .option('--json', 'machine-readable output')
    .option('--rows <n>', 'preview rows per table', '3')
    .option('--store <dir>', 'artifact store')
    .action(show);
  program
    .command('verify [artifacts...]')
    .description('check every file against its manifest; exit 1 on any mismatch')
    .option('--all', 'every artifact in the store')
    .option('--store <dir>', 'artifact store')
    .action(verify);
  program
    .command('ls')
    .description('list artifacts with kind, config summary, size and age')
    .option('--json', 'machine-readable output')
    .option('--kind <kind>', 'only this kind')
    .option('--store <dir>', 'artifact store')
    .action(ls);
  program
    .command('lineage <artifact>')
    .description('the upstream chain of an artifact')
    .option('--json', 'machine-readable output')
    .option('--store <dir>', 'artifact store')
    .action(lineage);
}
