// Whether a training run can take the fused native step, decided without loading tfjs: a train
// process on the fused path never imports it (issue 12, start-up: tfjs and its union package
// cost ~0.5 s of module loading per process). The decision follows initEngine's ladder.
import os from 'node:os';
import { createRequire } from 'node:module';
import { BACKEND_CHOICES, type EngineInfo } from './engine-info.ts';
import { loadAddon, type NativeAddon } from './native/addon.ts';

const require = createRequire(import.meta.url);

/** Why the fused step cannot run for this optimizer here, or null if it can (addon with fcnRun, SGD). */
export function fusedUnavailable(optimizer: string): string | null {
  if (optimizer !== 'sgd') return `optimizer '${optimizer}' runs on the tfjs path`;
  try {
    if (typeof loadAddon().fcnRun !== 'function') return 'addon built without fcnRun';
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The native rung as initEngine would select it — IMP_BACKEND auto or native, no tfjs-node in
 * the way, the addon loads — with its engine info and the addon (threads set as initEngine sets
 * them), or the reason it would not be selected. No tfjs is loaded.
 */
function nativeRung(): { info: EngineInfo; addon: NativeAddon } | { why: string } {
  const choice = process.env.IMP_BACKEND || 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) return { why: `IMP_BACKEND=${choice}` };
  if (choice !== 'auto' && choice !== 'native') return { why: `backend ${choice}` };
  if (choice === 'auto' && installed('@tensorflow/tfjs-node')) return { why: 'backend tensorflow' };
  let addon: NativeAddon;
  try {
    addon = loadAddon();
  } catch (e) {
    return { why: (e as Error).message };
  }
  const envThreads = Number(process.env.IMP_THREADS);
  const threads = Math.max(1, envThreads > 0 ? envThreads : os.availableParallelism());
  addon.setThreads(threads);
  const i = addon.info();
  const tfjsVersion = (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  return { info: { backend: 'native', tfjsVersion, blas: i.blas.trim(), threads, simd: i.simd !== '' }, addon };
}

/**
 * The engine info of the fused native path (what initEngine would report for 'native'), or the
 * reason it does not apply: IMP_FUSED=0, IMP_BACKEND naming another rung (or an invalid value,
 * which initEngine then reports), tfjs-node installed (the 'auto' ladder would take it), no
 * addon, or an optimizer other than SGD.
 */
export function fusedEngine(optimizer: string): { info: EngineInfo } | { why: string } {
  if (process.env.IMP_FUSED === '0') return { why: 'IMP_FUSED=0' };
  const rung = nativeRung();
  if ('why' in rung) return rung;
  const why = fusedUnavailable(optimizer);
  return why ? { why } : { info: rung.info };
}

/**
 * The native backend's GEMM without tfjs, when initEngine would pick the native rung: `sgemm` is
 * the addon call tfjs' BatchMatMul kernel makes there (row-major, beta 0, threads 0 = by size),
 * so results are the same bytes. null otherwise (use tfjs' matMul).
 */
export function nativeGemm(): { info: EngineInfo; sgemm: NativeAddon['sgemm'] } | null {
  const rung = nativeRung();
  return 'why' in rung ? null : { info: rung.info, sgemm: rung.addon.sgemm.bind(rung.addon) };
}
