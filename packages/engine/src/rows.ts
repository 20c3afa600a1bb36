// Dataset rows for the training loop, without tfjs: files mapped rather than read, and batch
// rows gathered and normalised natively (native/rows.c). Both fall back to plain JavaScript
// when the addon is not built, with the same results.
import { readFileSync } from 'node:fs';
import { loadAddon, type NativeAddon } from './native/addon.ts';

let addon: NativeAddon | null | undefined;
function native(): NativeAddon | null {
  if (addon === undefined) {
    try {
      const a = loadAddon();
      addon = typeof a.gatherNorm === 'function' && typeof a.mapFile === 'function' ? a : null;
    } catch {
      addon = null;
    }
  }
  return addon;
}

/**
 * The bytes of a file. Natively a read-only shared mapping of the page cache (a 188 MB dataset
 * costs ~80 ms instead of ~0.6 s of page faults and copying for readFileSync on this VM):
 * never write into it — a write kills the process. Otherwise readFileSync.
 */
export function readFileBytes(path: string): Uint8Array {
  const a = native();
  return a ? new Uint8Array(a.mapFile!(path)) : readFileSync(path);
}

/**
 * out[r, d] = (x[idx[r], d] − offset[d]) · scale[d] for r < count: the network inputs of rows
 * idx of x [n, dim] (uint8 or float32 pixels; normalization.arrow's offset and scale). The
 * native loop computes in double and rounds once, exactly as this JavaScript does.
 */
export function gatherRows(
  x: Uint8Array | Float32Array,
  dim: number,
  offset: Float32Array,
  scale: Float32Array,
  idx: Int32Array,
  count: number,
  out: Float32Array,
): void {
  const a = native();
  if (a) return a.gatherNorm!(x, offset, scale, idx, count, dim, out);
  for (let r = 0; r < count; r++) {
    const src = idx[r]! * dim;
    const dst = r * dim;
    for (let d = 0; d < dim; d++) out[dst + d] = (x[src + d]! - offset[d]!) * scale[d]!;
  }
}

/** Test hook: force the JavaScript fallbacks (true) or the addon again (false). */
export function useJsRows(js: boolean): void {
  addon = js ? null : undefined;
}
