/** What ran the numbers; recorded in every artifact manifest. */
export interface EngineInfo {
  backend: string;
  tfjsVersion: string;
  blas?: string;
  threads?: number;
  simd?: boolean;
}

export type BackendChoice = 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'native', 'wasm', 'cpu'];
