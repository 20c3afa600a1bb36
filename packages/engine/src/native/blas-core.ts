// OpenBLAS picks its kernels once, when the library loads, from the CPU it recognises.
// Debian's OpenBLAS 0.3.21 does not know AMD Zen 4/5 and falls back to its AVX2 "Haswell"
// kernels even when the CPU has AVX-512. Measured on this 2-core AMD EPYC (family 26, AVX-512),
// the fused 784-300-100-10 batch-100 step costs 2.0-2.2 CPU ms with Haswell kernels and
// 1.1-1.3 ms with SkylakeX ones (interleaved runs, issue 12). OPENBLAS_CORETYPE selects them;
// OpenBLAS itself falls back to Haswell if the OS does not enable AVX-512 state.
import { existsSync, readFileSync } from 'node:fs';

const AVX512 = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

function cpuFlags(): Set<string> {
  try {
    if (!existsSync('/proc/cpuinfo')) return new Set();
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return new Set(line ? line[1]!.trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/**
 * Asks OpenBLAS for its AVX-512 (SkylakeX) kernels when the CPU has AVX-512 and nobody chose a
 * core type (OPENBLAS_CORETYPE unset; IMP_BLAS_CORE=default keeps OpenBLAS' own choice). Must
 * run before the addon (and so OpenBLAS) is loaded in this process; afterwards it changes
 * nothing. The core actually used is in the addon's info().blas string, which manifests record.
 */
export function preferWideBlasKernels(): void {
  if (process.env.OPENBLAS_CORETYPE || process.env.IMP_BLAS_CORE === 'default') return;
  const flags = cpuFlags();
  if (AVX512.every((f) => flags.has(f))) process.env.OPENBLAS_CORETYPE = 'SkylakeX';
}
