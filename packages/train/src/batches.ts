import { Rng } from '@imp/artifacts';

/** Rng streams (seed, stream): init uses 100+l; batches and epoch permutations are keyed by step/epoch. */
const BATCH_STREAM = 0x40000000;
const EPOCH_STREAM = 0x20000000;

/**
 * The training indices of step t, a pure function of (seed, t): a resumed run draws exactly the
 * batches an uninterrupted one would, with nothing to checkpoint.
 * - replacement (spec §2.1): B indices uniform with replacement from Rng(seed, BATCH_STREAM + t).
 * - epochs: position p = t·B + i of an endless stream of epochs, epoch e = floor(p/n) shuffled by
 *   Rng(seed, EPOCH_STREAM + e).
 */
export class BatchSampler {
  private permEpoch = -1;
  private perm: Uint32Array | undefined;
  constructor(
    private n: number,
    private batchSize: number,
    private seed: number,
    private mode: 'replacement' | 'epochs',
  ) {}

  indices(step: number, out: Int32Array): Int32Array {
    const B = this.batchSize;
    if (this.mode === 'replacement') {
      const rng = new Rng(this.seed, BATCH_STREAM + step);
      for (let i = 0; i < B; i++) out[i] = rng.int(this.n);
      return out;
    }
    for (let i = 0; i < B; i++) {
      const p = step * B + i;
      const e = Math.floor(p / this.n);
      out[i] = this.permutation(e)[p - e * this.n]!;
    }
    return out;
  }

  private permutation(epoch: number): Uint32Array {
    if (epoch !== this.permEpoch) {
      const perm = new Uint32Array(this.n);
      for (let i = 0; i < this.n; i++) perm[i] = i;
      new Rng(this.seed, EPOCH_STREAM + epoch).shuffle(perm);
      this.perm = perm;
      this.permEpoch = epoch;
    }
    return this.perm!;
  }
}

/** Batch rows as network inputs: the engine's gather (native, with a JavaScript fallback). */
export { gatherRows } from '@imp/engine/rows';
