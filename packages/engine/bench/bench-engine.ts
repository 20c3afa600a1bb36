// npm run bench:engine — one SGD train step of the masked FCN (BN → masked
// Linear → ReLU; output BN → Linear; softmax CE) on our engine and on
// PyTorch CPU (bench/torch_step.py via /usr/bin/python3), medians of N steps.
// Last stdout line: a JSON summary (see README "Measured").
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { tf, initEngine, createFcn, sgdStep, disposeFcn, Rng, SPARSE_DENSITY_THRESHOLD, type EngineInfo } from '../src/index.ts';
import { relErr } from '../src/test-util.ts';

interface Case { name: string; sizes: number[]; batch: number; density: number }

const FCN = [3072, 1024, 1024, 1024, 10];
const CASES: Case[] = [
  { name: 'fcn_dense', sizes: FCN, batch: 1000, density: 1 },
  ...[5, 10, 13].map((k) => ({ name: `fcn_k${k}`, sizes: FCN, batch: 1000, density: 0.7 ** k })),
  { name: 'lenet_dense', sizes: [784, 300, 100, 10], batch: 100, density: 1 },
];
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
  const masks = c.sizes.slice(0, -1).map((s, l) => rng.mask(s * c.sizes[l + 1], c.density));
  const net = createFcn(c.sizes, { masks, seed });
  const x = tf.tensor2d(rng.normals(c.batch * c.sizes[0]), [c.batch, c.sizes[0]]);
  const labels = tf.tensor1d(new Int32Array(c.batch).map(() => rng.int(c.sizes.at(-1)!)), 'int32');
  const y = tf.oneHot(labels, c.sizes.at(-1)!) as tf.Tensor2D;
  labels.dispose();
  return { net, x, y };
}

function timeOurs(c: Case): number {
  const { net, x, y } = setup(c);
  const times: number[] = [];
  for (let s = 0; s < WARMUP + STEPS; s++) {
    const t0 = performance.now();
    sgdStep(net, x, y);
    if (s >= WARMUP) times.push(performance.now() - t0);
  }
  disposeFcn(net);
  tf.dispose([x, y]);
  return median(times);
}

/** One LeNet step on the current backend vs the tfjs cpu backend: max relative parameter difference. */
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

function runTorch(): Map<string, Map<number, number>> {
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const spec = { cases: CASES.map(({ name, sizes, batch, density }) => ({ name, sizes, batch, density })), threads: TORCH_THREADS, steps: STEPS, warmup: WARMUP };
  const r = spawnSync('/usr/bin/python3', [script, JSON.stringify(spec)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '' } });
  const out = new Map<string, Map<number, number>>();
  if (r.status !== 0) {
    console.error(`torch reference failed: ${(r.stderr || r.error?.message || '').split('\n').slice(-3).join(' ')}`);
    return out;
  }
  for (const line of r.stdout.trim().split('\n')) {
    const o = JSON.parse(line) as { case: string; threads: number; step_ms: number };
    if (!out.has(o.case)) out.set(o.case, new Map());
    out.get(o.case)!.set(o.threads, o.step_ms);
  }
  return out;
}

const info: EngineInfo = await initEngine();
console.log(`engine: ${JSON.stringify(info)}  cores: ${os.availableParallelism()}  load avg: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const ours = new Map<string, number>();
for (const c of CASES) {
  ours.set(c.name, timeOurs(c));
  process.stdout.write(`  ours ${c.name}: ${ours.get(c.name)!.toFixed(1)} ms\n`);
}
const torch = runTorch();
const agree = info.backend === 'cpu' ? 0 : await agreementWithCpu(info.backend);

const r1 = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 100) / 100);
console.log('\ncase         u        ours ms   torch1 ms  torch2 ms  ours/torch_best');
const stepMs: Record<string, { ours: number; torch_t1?: number; torch_t2?: number; density: number; sparse_path: boolean }> = {};
for (const c of CASES) {
  const t = torch.get(c.name);
  const t1 = t?.get(1), t2 = t?.get(2);
  const best = Math.min(t1 ?? Infinity, t2 ?? Infinity);
  const o = ours.get(c.name)!;
  stepMs[c.name] = { ours: r1(o)!, torch_t1: r1(t1), torch_t2: r1(t2), density: Number(c.density.toPrecision(4)), sparse_path: c.density < SPARSE_DENSITY_THRESHOLD && info.backend === 'native' };
  console.log(`${c.name.padEnd(12)} ${c.density.toFixed(4).padEnd(8)} ${o.toFixed(1).padStart(8)} ${(t1?.toFixed(1) ?? '-').padStart(10)} ${(t2?.toFixed(1) ?? '-').padStart(10)} ${Number.isFinite(best) ? (o / best).toFixed(2).padStart(10) : '-'}`);
}
const dense = ours.get('fcn_dense')!;
const tDense = torch.get('fcn_dense');
const tBest = Math.min(tDense?.get(1) ?? Infinity, tDense?.get(2) ?? Infinity);
const threads = info.threads ?? 1;
const tSame = tDense?.get(Math.min(threads, 2));
const u2 = CASES.filter((c) => c.sizes === FCN && c.density <= 0.02).map((c) => ours.get(c.name)!);
const summary = {
  backend: info.backend,
  engine: info,
  threads,
  steps: STEPS,
  step_ms: stepMs,
  dense_ratio_vs_torch: Number.isFinite(tBest) ? r1(dense / tBest) : null,
  dense_ratio_vs_torch_same_threads: tSame ? r1(dense / tSame) : null,
  sparse_step_ratio_u2: u2.length ? r1(Math.min(...u2) / dense) : null,
  agreement_vs_cpu_rel: Number(agree.toExponential(2)),
  load_avg: os.loadavg().map((l) => r1(l)),
};
console.log(JSON.stringify(summary));
