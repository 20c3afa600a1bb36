/**
 * Benchmark of the analysis stage (npm run bench:analysis):
 *  1. exact S^sc/S^dc maps of a dense 3072×1024 mask (goal ≤ 10 s);
 *  2. the full analysis stage on a synthetic quick-sized experiment
 *     (1×28×28 → 300 → 100 → 10, 10 levels; goal ≤ 30 s).
 * The last stdout line is JSON with dense_smap_s and quick_analysis_s.
 * Set KEEP_BENCH_STORE=1 to keep the temporary store (to look at the figures).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStage } from '@imp/artifacts';
import { computeSMaps } from '../src/smap.ts';
import { connectivityFromMask } from '../src/connectivity.ts';
import { analysisStage } from '../src/stage.ts';
import { makeSyntheticExperiment, QUICK } from '../src/synthetic.ts';

const mask = new Uint8Array(3072 * 1024).fill(1);
let t = performance.now();
const s = computeSMaps(connectivityFromMask(mask, 3072, 1024), { channels: 3, height: 32, width: 32 })[0]!;
const denseSmapS = (performance.now() - t) / 1000;
// Sanity: dense same-channel pairs at d = (0, 1): 1024 nodes × 3 channels × 32 × 31.
if (s.sc.data[31 * 63 + 32] !== 1024 * 3 * 32 * 31) throw new Error('dense S^sc(0,1) is wrong');
console.error(`dense 3072x1024 S maps: ${denseSmapS.toFixed(2)} s`);

const store = mkdtempSync(join(tmpdir(), 'imp-bench-analysis-'));
t = performance.now();
const ex = await makeSyntheticExperiment(store, QUICK);
const synthS = (performance.now() - t) / 1000;
t = performance.now();
const r = await runStage(analysisStage, {
  config: {},
  inputs: ex.inputs,
  store,
  log: (m) => console.error(`[analysis] ${m}`),
});
const quickS = (performance.now() - t) / 1000;
console.error(
  `synthetic experiment: ${synthS.toFixed(1)} s; analysis: ${quickS.toFixed(2)} s -> ${r.outputs.analysis!.dir}`,
);
if (!process.env.KEEP_BENCH_STORE) rmSync(store, { recursive: true, force: true });
console.log(
  JSON.stringify({
    dense_smap_s: Number(denseSmapS.toFixed(3)),
    quick_analysis_s: Number(quickS.toFixed(3)),
    synthetic_setup_s: Number(synthS.toFixed(3)),
    goals: { dense_smap_s: 10, quick_analysis_s: 30 },
  }),
);
