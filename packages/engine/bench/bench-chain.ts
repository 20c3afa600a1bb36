// bench:chain — the natural-patches-clone preset end to end (ours, from an empty temporary store)
// against a one-file PyTorch version of the same chain on the same data (torch_chain.py).
// Prints JSON last: ours_s, torch_s, ratio, our per-phase seconds and median ms per step at
// u = 100%, 8% and 1% for both. Env: BENCH_TORCH_THREADS (default "1": PyTorch's fastest setting on
// this 2-core machine, notes §8 — at 2 threads its chain took > 5.5 min quiet against ~290 s at 1;
// e.g. "1,2" runs both and compares with the faster), BENCH_KEEP=1 keeps the store.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, openArtifact } from '@imp/artifacts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const PRESET = process.env.BENCH_PRESET ?? 'natural-patches-clone';
const store = mkdtempSync(join(tmpdir(), 'imp-bench-chain-'));

interface Manifest {
  kind: string;
  stage: string;
  role: string;
  config: Record<string, unknown>;
  timings: Record<string, number>;
  backend: Record<string, unknown> | null;
  summary: Record<string, unknown>;
}

function manifests(): { dir: string; m: Manifest }[] {
  const out: { dir: string; m: Manifest }[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (existsSync(join(p, 'manifest.json')))
        out.push({ dir: p, m: JSON.parse(readFileSync(join(p, 'manifest.json'), 'utf8')) as Manifest });
      else if (depth < 3) walk(p, depth + 1);
    }
  };
  walk(store, 0);
  return out;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? null;

// (a) ours
const t0 = performance.now();
const r = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/imp.js'), 'run', PRESET], {
  cwd: ROOT,
  env: { ...process.env, IMP_STORE: store },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const oursS = (performance.now() - t0) / 1000;
if (r.status !== 0) throw new Error(`imp run ${PRESET} failed (status ${r.status})`);
const all = manifests();
const phases: Record<string, number> = {};
const phaseOf: Record<string, string> = {
  data: 'data',
  train: 'training',
  mask: 'mask_and_rewind',
  rewind: 'mask_and_rewind',
};
for (const { m } of all) {
  const s = Object.values(m.timings).reduce((a, b) => a + b, 0);
  const ph =
    phaseOf[m.stage] ?? (/analy/.test(m.stage) ? 'analysis' : /report|compare/.test(m.stage) ? 'report' : m.stage);
  phases[ph] = (phases[ph] ?? 0) + s;
}
const accounted = Object.values(phases).reduce((a, b) => a + b, 0);
phases.process_startup_and_other = Math.max(0, oursS - accounted);
const trainMetrics = all.filter((x) => x.m.stage === 'train' && x.m.role === 'metrics');
const oursStep = (level: number) =>
  (trainMetrics.find((x) => x.m.summary.level === level)?.m.summary.ms_per_step as number | undefined) ?? null;
const backend = trainMetrics[0]?.m.backend ?? null;

// (b) the same chain in PyTorch on the same arrays
const dsDir = all.find((x) => x.m.kind === 'dataset')!.dir;
const ds = loadDataset(await openArtifact(dsDir));
const dataDir = join(store, 'torch-data');
rmSync(dataDir, { recursive: true, force: true });
spawnSync('mkdir', ['-p', dataDir]);
const norm = (x: Uint8Array | Float32Array, n: number) => {
  const o = new Float32Array(n * ds.dim);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < ds.dim; d++) o[i * ds.dim + d] = (x[i * ds.dim + d]! - ds.offset[d]!) * ds.scale[d]!;
  return Buffer.from(o.buffer);
};
writeFileSync(join(dataDir, 'train_x.f32'), norm(ds.train.x, ds.train.y.length));
writeFileSync(join(dataDir, 'train_y.i32'), Buffer.from(Int32Array.from(ds.train.y).buffer));
writeFileSync(join(dataDir, 'val_x.f32'), norm(ds.val.x, ds.val.y.length));
writeFileSync(join(dataDir, 'val_y.i32'), Buffer.from(Int32Array.from(ds.val.y).buffer));
writeFileSync(
  join(dataDir, 'meta.json'),
  JSON.stringify({ dim: ds.dim, classes: ds.numClasses, height: ds.layout.height, width: ds.layout.width }),
);
const torchRuns: { threads: number; total_s: number; step_ms: number[] }[] = [];
for (const t of (process.env.BENCH_TORCH_THREADS ?? '1').split(',').map(Number)) {
  const p = spawnSync('/usr/bin/python3', [join(ROOT, 'packages/engine/bench/torch_chain.py'), dataDir, String(t)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (p.status !== 0) throw new Error(`torch_chain.py failed (status ${p.status})`);
  const last = p.stdout.trim().split('\n').pop()!;
  torchRuns.push(JSON.parse(last) as { threads: number; total_s: number; step_ms: number[] });
}
const best = torchRuns.reduce((a, b) => (b.total_s < a.total_s ? b : a));
if (!process.env.BENCH_KEEP) rmSync(store, { recursive: true, force: true });
// u = 0.7^level: level 0 → 100%, level 7 → 8.2%, level 13 → 0.97%.
const levels = { u100: 0, u8: 7, u1: 13 };
const steps = Object.fromEntries(
  Object.entries(levels).map(([k, l]) => [k, { ours_ms: oursStep(l), torch_ms: best.step_ms[l] ?? null }]),
);
console.log(
  JSON.stringify({
    preset: PRESET,
    ours_s: oursS,
    torch_s: best.total_s,
    torch_threads: best.threads,
    torch_all: torchRuns.map((t) => ({ threads: t.threads, total_s: t.total_s })),
    ratio: oursS / best.total_s,
    phases_s: phases,
    backend,
    step_ms: steps,
    step_ratio: Object.fromEntries(
      Object.entries(steps).map(([k, v]) => [k, v.ours_ms && v.torch_ms ? v.ours_ms / v.torch_ms : null]),
    ),
    ours_median_step_ms: median(trainMetrics.map((x) => x.m.summary.ms_per_step as number)),
  }),
);
