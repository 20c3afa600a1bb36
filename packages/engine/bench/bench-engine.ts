// npm run bench:engine — one SGD train step of the masked FCN (BN → masked
// Linear → ReLU; output BN → Linear; softmax CE) on our engine and on
// PyTorch CPU (bench/torch_step.py via /usr/bin/python3). Cases are run
// interleaved (ours, then torch) so both see similar machine load. Medians of
// BENCH_STEPS steps after 2 warm-up steps; wall-clock and process CPU time.
// Last stdout line: a JSON summary.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  tf,
  initEngine,
  createFcn,
  sgdStep,
  disposeFcn,
  SPARSE_DENSITY_THRESHOLD,
  type EngineInfo,
} from '../src/index.ts';
import { relErr } from '../src/test-util.ts';
import { Rng, randomMask, randomNormals } from '@imp/artifacts';

interface Case {
  name: string;
  sizes: number[];
  batch: number;
  density: number;
}
interface Timing {
  step_ms: number;
  cpu_ms: number;
}

const FCN = [3072, 1024, 1024, 1024, 10];
const ALL_CASES: Case[] = [
  { name: 'fcn_dense', sizes: FCN, batch: 1000, density: 1 },
  ...[5, 10, 13].map((k) => ({ name: `fcn_k${k}`, sizes: FCN, batch: 1000, density: 0.7 ** k })),
  { name: 'lenet_dense', sizes: [784, 300, 100, 10], batch: 100, density: 1 },
];
const only = process.env.BENCH_CASES?.split(',');
const CASES = only ? ALL_CASES.filter((c) => only.includes(c.name)) : ALL_CASES;
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const WARMUP = 2;
const TORCH_THREADS = [1, 2];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function setup(c: Case, seed = 7) {
  const rng = new Rng(seed);
  const masks = c.sizes.slice(0, -1).map((s, l) => randomMask(rng, s * c.sizes[l + 1], c.density));
  const net = createFcn(c.sizes, { masks, seed });
  const x = tf.tensor2d(randomNormals(rng, c.batch * c.sizes[0]), [c.batch, c.sizes[0]]);
  const labels = tf.tensor1d(
    new Int32Array(c.batch).map(() => rng.int(c.sizes.at(-1)!)),
    'int32',
  );
  const y = tf.oneHot(labels, c.sizes.at(-1)!) as tf.Tensor2D;
  labels.dispose();
  return { net, x, y };
}

function timeOurs(c: Case): Timing {
  const { net, x, y } = setup(c);
  const wall: number[] = [],
    cpu: number[] = [];
  const steps = c.batch <= 100 ? STEPS * 5 : STEPS; // small net: more steps, same effort
  for (let s = 0; s < WARMUP + steps; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sgdStep(net, x, y);
    const t1 = performance.now();
    const cu = process.cpuUsage(c0);
    if (s >= WARMUP) {
      wall.push(t1 - t0);
      cpu.push((cu.user + cu.system) / 1000);
    }
  }
  disposeFcn(net);
  tf.dispose([x, y]);
  return { step_ms: median(wall), cpu_ms: median(cpu) };
}

/**
 * PyTorch configurations: torch.set_num_threads(1|2) (OpenBLAS still uses
 * every core for GEMMs, its own default) and "1core" (OPENBLAS_NUM_THREADS=1
 * as well: a true single-core run, compared with our IMP_THREADS=1).
 */
function timeTorch(c: Case): Map<string, Timing> {
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const steps = c.batch <= 100 ? STEPS * 5 : STEPS;
  const out = new Map<string, Timing>();
  const runs: [string, number[], Record<string, string>][] = [
    ['t', TORCH_THREADS, {}],
    ['1core', [1], { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' }],
  ];
  for (const [label, threads, env] of runs) {
    const spec = {
      cases: [{ name: c.name, sizes: c.sizes, batch: c.batch, density: c.density }],
      threads,
      steps,
      warmup: WARMUP,
    };
    const r = spawnSync('/usr/bin/python3', [script, JSON.stringify(spec)], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    if (r.status !== 0) {
      console.error(
        `torch reference failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`,
      );
      continue;
    }
    for (const line of r.stdout.trim().split('\n')) {
      const o = JSON.parse(line) as { threads: number; step_ms: number; cpu_ms: number };
      out.set(label === 't' ? `t${o.threads}` : label, { step_ms: o.step_ms, cpu_ms: o.cpu_ms });
    }
  }
  return out;
}

/** One LeNet step on `backend` vs the tfjs cpu backend: max relative parameter difference. */
async function agreementWithCpu(backend: string): Promise<number> {
  const c: Case = { name: 'agree', sizes: [784, 300, 100, 10], batch: 100, density: 0.5 };
  const params = async (b: string) => {
    await initEngine({ backend: b as 'cpu', warn: () => {} });
    const { net, x, y } = setup(c, 3);
    sgdStep(net, x, y);
    const p = net.layers.flatMap((L) => [L.gamma, L.beta, L.w, L.b].map((v) => v.dataSync().slice()));
    disposeFcn(net);
    tf.dispose([x, y]);
    return p;
  };
  const ref = await params('cpu');
  const got = await params(backend);
  return Math.max(...got.map((p, k) => relErr(p, ref[k])));
}

const r2 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : Math.round(v * 100) / 100);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const info: EngineInfo = await initEngine();
const cores = info.threads ?? 1;
console.log(
  `engine: ${JSON.stringify(info)}\ncores: ${os.availableParallelism()}  load avg before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}  rounds: ${ROUNDS}`,
);

type Row = { ours: Timing; ours1: Timing; torch: Map<string, Timing> };
const medT = (ts: Timing[]): Timing => ({
  step_ms: median(ts.map((t) => t.step_ms)),
  cpu_ms: median(ts.map((t) => t.cpu_ms)),
});
const rounds = new Map<string, Row[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const c of CASES) {
    await initEngine({ threads: cores, warn: () => {} });
    const ours = timeOurs(c);
    await initEngine({ threads: 1, warn: () => {} });
    const ours1 = timeOurs(c);
    const torch = timeTorch(c);
    if (!rounds.has(c.name)) rounds.set(c.name, []);
    rounds.get(c.name)!.push({ ours, ours1, torch });
    process.stderr.write(
      `  round ${r + 1} ${c.name}: ours ${ours.step_ms.toFixed(1)} ms, torch ${[...torch.entries()].map(([k, v]) => `${k} ${v.step_ms.toFixed(1)}`).join(', ')}\n`,
    );
  }
}
await initEngine({ threads: cores, warn: () => {} });
// Median over rounds of the per-round medians.
const results = new Map<string, Row>();
for (const [name, rows] of rounds) {
  const torch = new Map<string, Timing>();
  for (const k of ['t1', 't2', '1core']) {
    const ts = rows.map((x) => x.torch.get(k)).filter((t): t is Timing => t !== undefined);
    if (ts.length) torch.set(k, medT(ts));
  }
  results.set(name, { ours: medT(rows.map((x) => x.ours)), ours1: medT(rows.map((x) => x.ours1)), torch });
}

const f = (t?: Timing) => (t ? `${t.step_ms.toFixed(1)} (${t.cpu_ms.toFixed(0)})` : '-').padStart(14);
console.log(
  `\nwall ms per step (process CPU ms in parentheses); ours ${cores}t = our default, torch tN = torch.set_num_threads(N)`,
);
console.log(
  `case         u        path    ${'ours ' + cores + 't'.padEnd(0)}      torch t1       torch t2     ours 1core    torch 1core   ours/best torch`,
);
const stepMs: Record<string, unknown> = {};
for (const c of CASES) {
  const { ours, ours1, torch } = results.get(c.name)!;
  const t1 = torch.get('t1'),
    t2 = torch.get('t2'),
    t1c = torch.get('1core');
  const best = Math.min(t1?.step_ms ?? Infinity, t2?.step_ms ?? Infinity);
  const sparse = info.backend === 'native' && c.density < SPARSE_DENSITY_THRESHOLD;
  stepMs[c.name] = {
    density: Number(c.density.toPrecision(4)),
    path: sparse ? 'csr' : 'dense',
    ours: r2(ours.step_ms),
    ours_cpu: r2(ours.cpu_ms),
    ours_1core: r2(ours1.step_ms),
    torch_t1: r2(t1?.step_ms),
    torch_t2: r2(t2?.step_ms),
    torch_1core: r2(t1c?.step_ms),
    torch_t1_cpu: r2(t1?.cpu_ms),
  };
  console.log(
    `${c.name.padEnd(12)} ${c.density.toFixed(4).padEnd(8)} ${(sparse ? 'csr' : 'dense').padEnd(6)} ${f(ours)} ${f(t1)} ${f(t2)} ${f(ours1)} ${f(t1c)}   ${Number.isFinite(best) ? (ours.step_ms / best).toFixed(2) : '-'}`,
  );
}
const agree = info.backend === 'cpu' ? 0 : await agreementWithCpu(info.backend);
const dense = results.get('fcn_dense');
const tBest = dense
  ? Math.min(dense.torch.get('t1')?.step_ms ?? Infinity, dense.torch.get('t2')?.step_ms ?? Infinity)
  : Infinity;
const tSame = dense?.torch.get(`t${Math.min(cores, 2)}`)?.step_ms;
const t1core = dense?.torch.get('1core')?.step_ms;
const u2 = CASES.filter((c) => c.sizes === FCN && c.density <= 0.02).map((c) => results.get(c.name)!.ours.step_ms);
const summary = {
  backend: info.backend,
  engine: info,
  threads: cores,
  steps: STEPS,
  rounds: ROUNDS,
  step_ms: stepMs,
  dense_ratio_vs_torch: dense ? r2(dense.ours.step_ms / tBest) : null,
  dense_ratio_vs_torch_same_threads: dense && tSame ? r2(dense.ours.step_ms / tSame) : null,
  dense_ratio_vs_torch_1core: dense && t1core ? r2(dense.ours1.step_ms / t1core) : null,
  sparse_step_ratio_u2: dense && u2.length ? r2(Math.min(...u2) / dense.ours.step_ms) : null,
  agreement_vs_cpu_rel: Number(agree.toExponential(2)),
  load_avg: os.loadavg().map((l) => r2(l)),
};
console.log(JSON.stringify(summary));
