/**
 * Radix-2 complex FFT on split re/im Float64Arrays, and the 2-D transform of a
 * zero-padded power-of-two grid used for the S^sc/S^dc maps. The locality maps of
 * spec §4(c) are sums of per-node autocorrelations, which a zero-padded FFT gives
 * exactly (after rounding) in O(N log N) instead of O(k²) pairs per node.
 *
 * Not the same as packages/data/src/nlgp/fft.ts: that one is mixed-radix (any length,
 * e.g. 28 = 2·2·7, for NLGP sampling on the image grid itself) with a normalised
 * inverse. Here sizes are padded to powers of two anyway (the autocorrelation needs
 * 2H−1 ≥ zero padding), the transform works in place on strided rows/columns, and the
 * inverse is unscaled (the caller divides once).
 */
export class Fft {
  readonly n: number;
  private readonly rev: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(n: number) {
    if (n < 1 || (n & (n - 1)) !== 0) throw new Error(`FFT size ${n} is not a power of two`);
    this.n = n;
    this.rev = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = Math.sin((2 * Math.PI * i) / n);
    }
  }

  /** In-place transform of n values at re/im[off + k*stride]; inverse is unscaled. */
  transform(re: Float64Array, im: Float64Array, off: number, stride: number, inverse: boolean): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const a = off + i * stride;
        const b = off + j * stride;
        let t = re[a]!;
        re[a] = re[b]!;
        re[b] = t;
        t = im[a]!;
        im[a] = im[b]!;
        im[b] = t;
      }
    }
    const sgn = inverse ? 1 : -1;
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * step]!;
          const wi = sgn * this.sin[k * step]!;
          const a = off + (start + k) * stride;
          const b = a + half * stride;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
  }
}

/** 2D FFT of an ny×nx row-major grid; `rowsUsed` skips row transforms of all-zero rows. */
export function fft2d(fy: Fft, fx: Fft, re: Float64Array, im: Float64Array, inverse: boolean, rowsUsed = fy.n): void {
  const ny = fy.n;
  const nx = fx.n;
  for (let y = 0; y < rowsUsed; y++) fx.transform(re, im, y * nx, 1, inverse);
  for (let x = 0; x < nx; x++) fy.transform(re, im, x, nx, inverse);
  void ny;
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}
