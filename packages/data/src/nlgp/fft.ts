/**
 * A small mixed-radix complex FFT for any length (iterative decimation in time over the prime
 * factors, a naive DFT butterfly for odd primes), enough for image sides like 28 = 2*2*7 or 32.
 * Unnormalised forward transform X_k = sum_j x_j e^{-2 pi i jk/n}; the inverse includes the 1/n.
 * Tables are precomputed per length; transforms allocate nothing.
 */
interface Stage {
  p: number;
  q: number;
  /** twiddles W_m^{rk}, [k*p + r], m = p*q */
  twRe: Float64Array;
  twIm: Float64Array;
}

export class FFT {
  readonly n: number;
  private readonly perm: Int32Array;
  private readonly stages: Stage[] = [];
  private readonly bRe: Float64Array; // radix-p butterfly W_p^{ru}, [u*p + r] (max p)
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  private readonly yRe: Float64Array;
  private readonly yIm: Float64Array;
  private readonly wpRe = new Map<number, Float64Array>();
  private readonly wpIm = new Map<number, Float64Array>();

  constructor(n: number) {
    this.n = n;
    const factors: number[] = [];
    for (let m = n; m > 1;) {
      let p = 2;
      while (p * p <= m && m % p !== 0) p++;
      if (m % p !== 0) p = m;
      factors.push(p);
      m /= p;
    }
    // Input order of the leaves: recursion "split by residue mod the first factor" unrolled.
    this.perm = new Int32Array(n);
    const place = (m: number, inOff: number, stride: number, outOff: number, level: number) => {
      if (m === 1) return void (this.perm[outOff] = inOff);
      const p = factors[level]!;
      for (let r = 0; r < p; r++) place(m / p, inOff + r * stride, stride * p, outOff + r * (m / p), level + 1);
    };
    place(n, 0, 1, 0, 0);
    let m = 1;
    for (let level = factors.length - 1; level >= 0; level--) {
      const p = factors[level]!;
      const q = m;
      m = p * q;
      const twRe = new Float64Array(p * q),
        twIm = new Float64Array(p * q);
      for (let k = 0; k < q; k++)
        for (let r = 0; r < p; r++) {
          const a = (-2 * Math.PI * r * k) / m;
          twRe[k * p + r] = Math.cos(a);
          twIm[k * p + r] = Math.sin(a);
        }
      this.stages.push({ p, q, twRe, twIm });
      if (!this.wpRe.has(p)) {
        const wr = new Float64Array(p * p),
          wi = new Float64Array(p * p);
        for (let u = 0; u < p; u++)
          for (let r = 0; r < p; r++) {
            const a = (-2 * Math.PI * ((r * u) % p)) / p;
            wr[u * p + r] = Math.cos(a);
            wi[u * p + r] = Math.sin(a);
          }
        this.wpRe.set(p, wr);
        this.wpIm.set(p, wi);
      }
    }
    const maxP = Math.max(2, ...factors);
    this.bRe = new Float64Array(maxP * maxP);
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
    this.yRe = new Float64Array(maxP);
    this.yIm = new Float64Array(maxP);
  }

  /** In-place transform of n complex values at re[off + j*stride], im[...]. */
  transform(re: Float64Array, im: Float64Array, off: number, stride: number, inverse: boolean): void {
    const { n, perm, bufRe: tr, bufIm: ti, yRe, yIm } = this;
    // The inverse is the conjugate of the forward transform of the conjugate.
    const sg = inverse ? -1 : 1;
    for (let j = 0; j < n; j++) {
      const src = off + perm[j]! * stride;
      tr[j] = re[src]!;
      ti[j] = sg * im[src]!;
    }
    const stages = this.stages;
    for (let st = 0; st < stages.length; st++) {
      const stage = stages[st]!;
      const p = stage.p,
        q = stage.q,
        twRe = stage.twRe,
        twIm = stage.twIm;
      const m = p * q;
      if (p === 2) {
        for (let b = 0; b < n; b += m)
          for (let k = 0; k < q; k++) {
            const i0 = b + k,
              i1 = i0 + q;
            const c = twRe[2 * k + 1]!,
              s = twIm[2 * k + 1]!;
            const xr = tr[i1]! * c - ti[i1]! * s,
              xi = tr[i1]! * s + ti[i1]! * c;
            const ar = tr[i0]!,
              ai = ti[i0]!;
            tr[i0] = ar + xr;
            ti[i0] = ai + xi;
            tr[i1] = ar - xr;
            ti[i1] = ai - xi;
          }
        continue;
      }
      const wr = this.wpRe.get(p)!,
        wi = this.wpIm.get(p)!;
      for (let b = 0; b < n; b += m)
        for (let k = 0; k < q; k++) {
          for (let r = 0; r < p; r++) {
            const i = b + r * q + k;
            const c = twRe[k * p + r]!,
              s = twIm[k * p + r]!;
            yRe[r] = tr[i]! * c - ti[i]! * s;
            yIm[r] = tr[i]! * s + ti[i]! * c;
          }
          for (let u = 0; u < p; u++) {
            let xr = 0,
              xi = 0;
            for (let r = 0; r < p; r++) {
              const c = wr[u * p + r]!,
                s = wi[u * p + r]!;
              xr += yRe[r]! * c - yIm[r]! * s;
              xi += yRe[r]! * s + yIm[r]! * c;
            }
            tr[b + k + u * q] = xr;
            ti[b + k + u * q] = xi;
          }
        }
    }
    const f = inverse ? 1 / n : 1;
    for (let j = 0; j < n; j++) {
      re[off + j * stride] = tr[j]! * f;
      im[off + j * stride] = sg * ti[j]! * f;
    }
  }
}

/** In-place 2-D transform of an h x w complex image (row-major). */
export function fft2(
  re: Float64Array,
  im: Float64Array,
  h: number,
  w: number,
  inverse: boolean,
  fr = new FFT(w),
  fc = h === w ? fr : new FFT(h),
): void {
  for (let y = 0; y < h; y++) fr.transform(re, im, y * w, 1, inverse);
  for (let x = 0; x < w; x++) fc.transform(re, im, x, w, inverse);
}

/** Naive O(n^2) DFT, the reference the tests compare against. */
export function naiveDft(re: Float64Array, im: Float64Array, inverse = false): [Float64Array, Float64Array] {
  const n = re.length;
  const sg = inverse ? 1 : -1;
  const oR = new Float64Array(n),
    oI = new Float64Array(n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++) {
      const a = (sg * 2 * Math.PI * ((j * k) % n)) / n;
      oR[k]! += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      oI[k]! += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  if (inverse)
    for (let k = 0; k < n; k++) {
      oR[k]! /= n;
      oI[k]! /= n;
    }
  return [oR, oI];
}
