import os from 'node:os';
import { tf } from './tf.ts';
import { BACKEND_CHOICES, type BackendChoice, type EngineInfo } from './engine-info.ts';
import { setupNativeBackend } from './native/register.ts';

type Rung = Exclude<BackendChoice, 'auto'>;
const LADDER: readonly Rung[] = ['tensorflow', 'native', 'wasm', 'cpu'];

let current: EngineInfo | undefined;

export interface InitOptions {
  backend?: BackendChoice;
  /** Threads for the native backend's BLAS and kernels (default: available cores). */
  threads?: number;
  /** Where warnings go (tests capture it); default: one line to stderr. */
  warn?: (line: string) => void;
}

function parseChoice(v: string | undefined): BackendChoice | undefined {
  if (v === undefined || v === '') return undefined;
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`IMP_BACKEND=${v} is not one of ${BACKEND_CHOICES.join(', ')}`);
}

/** Rung attempt: resolves to EngineInfo on success, throws with a one-line reason otherwise. */
async function tryRung(rung: Rung, threads: number): Promise<EngineInfo> {
  const tfjsVersion = tf.version_core;
  switch (rung) {
    case 'tensorflow': {
      // Dynamic, variable specifier: tfjs-node is not a dependency (its install
      // downloads libtensorflow, unreachable here). Use it if someone has it.
      const name = '@tensorflow/tfjs-node';
      await import(name);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend(tensorflow) returned false');
      return { backend: 'tensorflow', tfjsVersion };
    }
    case 'native': {
      const info = setupNativeBackend(threads);
      if (!(await tf.setBackend('native'))) throw new Error('setBackend(native) returned false');
      return { backend: 'native', tfjsVersion, blas: info.blas, threads: info.threads, simd: info.simd };
    }
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      // tfjs silently keeps the previous backend if wasm init fails: check the result.
      if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { backend: 'wasm', tfjsVersion, threads: 1, simd };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('setBackend(cpu) returned false');
      // The cpu backend prints a multi-line "install tfjs-node" banner on first
      // write; we already report the fallback ourselves.
      (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
      return { backend: 'cpu', tfjsVersion, threads: 1 };
    }
  }
}

/**
 * Selects the fastest working backend: tensorflow (tfjs-node) → native
 * (OpenBLAS addon) → wasm → cpu. IMP_BACKEND overrides opts.backend; an
 * explicit choice starts the ladder at that rung. Prints exactly one warning
 * line when an expected rung is unavailable (tfjs-node missing is expected).
 */
export async function initEngine(opts: InitOptions = {}): Promise<EngineInfo> {
  const choice = parseChoice(process.env.IMP_BACKEND) ?? opts.backend ?? 'auto';
  const envThreads = Number(process.env.IMP_THREADS);
  const threads = Math.max(1, opts.threads ?? (envThreads > 0 ? envThreads : os.availableParallelism()));
  const warn = opts.warn ?? ((line: string) => process.stderr.write(line + '\n'));
  const start = choice === 'auto' ? 0 : LADDER.indexOf(choice);
  const failures: string[] = [];
  for (let r = start; r < LADDER.length; r++) {
    const rung = LADDER[r];
    try {
      const info = await tryRung(rung, threads);
      if (failures.length > 0) {
        warn(`[@imp/engine] using backend '${rung}': ${failures.join('; ')}`);
      }
      current = info;
      return info;
    } catch (e) {
      const silent = choice === 'auto' && rung === 'tensorflow';
      if (!silent) failures.push(`${rung} unavailable (${oneLine(e)})`);
    }
  }
  throw new Error(`[@imp/engine] no backend works: ${failures.join('; ')}`);
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 200);
}

/** The engine selected by the last initEngine() (throws if none ran yet). */
export function engineInfo(): EngineInfo {
  if (current === undefined) throw new Error('engineInfo(): call initEngine() first');
  const backend = tf.getBackend();
  // Someone switched backends behind our back (e.g. a test with tf.setBackend).
  if (current.backend !== backend) return { backend, tfjsVersion: tf.version_core };
  return current;
}
