// Recycling pool for the Float32Arrays our kernels return. A fresh 12 MB
// typed array costs page faults plus zero-filling (~1.5 ms); a training step
// of the 3072-1024-1024-1024 net makes dozens of them, which is most of the
// gap to PyTorch's caching allocator.
//
// Safety rules (see NativeBackend in register.ts):
//  * only arrays allocated here are ever recycled, and only when the tensor
//    that owns them is disposed (refCount 0);
//  * readSync()/dataSync() return a copy of a pooled array, so user code may
//    keep a dataSync() result after disposing the tensor;
//  * every kernel on the native backend is wrapped: an output that aliases a
//    pooled input (e.g. cpu Slice returns subarray views) is copied.
const POOL_MIN = 64 * 1024; // elements; smaller arrays are cheap to allocate
const MAX_PER_SIZE = 32;
const MAX_BYTES = 1536 * 1024 * 1024;

const owned = new WeakSet<Float32Array>();
const ownedBuffers = new WeakSet<ArrayBufferLike>();
const free = new Map<number, Float32Array[]>();
let freeBytes = 0;
let enabled = process.env.IMP_ENGINE_POOL !== '0';

export const poolStats = { hits: 0, misses: 0 };

/** An uninitialised (NOT zeroed) array of n floats. */
export function allocF32(n: number): Float32Array {
  if (!enabled || n < POOL_MIN) return new Float32Array(n);
  const list = free.get(n);
  const a = list?.pop();
  if (a !== undefined) {
    freeBytes -= n * 4;
    poolStats.hits++;
    return a;
  }
  poolStats.misses++;
  const fresh = new Float32Array(n);
  owned.add(fresh);
  ownedBuffers.add(fresh.buffer);
  return fresh;
}

export function allocF32Zeroed(n: number): Float32Array {
  const a = allocF32(n);
  if (owned.has(a)) a.fill(0);
  return a;
}

export function isPooled(a: unknown): a is Float32Array {
  return a instanceof Float32Array && owned.has(a);
}

export function sharesPooledBuffer(a: unknown): boolean {
  return ArrayBuffer.isView(a) && ownedBuffers.has(a.buffer);
}

/** Called when the last tensor referencing `a` is disposed. */
export function release(a: Float32Array): void {
  if (!owned.has(a) || freeBytes + a.length * 4 > MAX_BYTES) return;
  let list = free.get(a.length);
  if (list === undefined) free.set(a.length, (list = []));
  if (list.length >= MAX_PER_SIZE) return;
  list.push(a);
  freeBytes += a.length * 4;
}

/** Drops every pooled array (tests, or to give memory back). */
export function clearPool(): void {
  free.clear();
  freeBytes = 0;
}

export function setPoolEnabled(on: boolean): void {
  enabled = on;
  if (!on) clearPool();
}
