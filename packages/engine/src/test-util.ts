// Helpers shared by the spec files (not part of the public API).
import assert from 'node:assert/strict';
import { initEngine } from './init-engine.ts';
import { loadAddon } from './native/addon.ts';

export function nativeAvailable(): boolean {
  try {
    loadAddon();
    return true;
  } catch {
    return false;
  }
}

/** Switches to `backend` (through initEngine so 'native' gets registered). */
export async function useBackend(backend: 'native' | 'cpu' | 'wasm'): Promise<void> {
  const info = await initEngine({ backend, warn: () => {} });
  assert.equal(info.backend, backend, `backend ${backend} unavailable`);
}

/** max |a-b| / max(1, max|b|) over all entries. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let num = 0,
    den = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (d > num) num = d;
    if (Math.abs(b[i]) > den) den = Math.abs(b[i]);
  }
  return num / den;
}

export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  const e = relErr(a, b);
  assert.ok(e <= tol, `${what}: relative error ${e} > ${tol}`);
}
