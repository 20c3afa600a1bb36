import { tf, prepareMask, maskedLinear, batchNormTrain, type MaskHandle } from '@imp/engine';
import { hasRunningStats, maskedStart, type FcnLayerValues } from '@imp/engine/fcn-values';
import type { NamedTensor } from '@imp/artifacts';

/** Initial values of one layer (the engine's type, shared with the fused step). */
export type LayerValues = FcnLayerValues;

interface Layer {
  l: number;
  fanIn: number;
  fanOut: number;
  w: tf.Variable;
  b: tf.Variable;
  gamma: tf.Variable;
  beta: tf.Variable;
  emaMean: tf.Variable;
  emaVar: tf.Variable;
  mask?: MaskHandle;
  bMask?: tf.Tensor1D;
  mw?: Uint8Array;
  mb?: Uint8Array;
}

/**
 * The FCN of spec §1.1: for every layer BN on its input → (masked) Linear → ReLU (none on the
 * output layer). BN uses batch statistics in training and EMAs (decay bnDecay) for evaluation.
 * Masked weights and biases are zeroed once here; maskedLinear gives them zero gradient, so
 * they stay exactly zero under SGD, momentum, weight decay and Adam.
 */
export class Net {
  readonly layers: Layer[];
  /** False until the running stats exist (start params without them: set from the first batch). */
  emaReady: boolean;

  constructor(
    values: LayerValues[],
    private eps: number,
    private decay: number,
  ) {
    this.emaReady = hasRunningStats(values);
    this.layers = values.map((v) => {
      const { w, b } = maskedStart(v);
      return {
        l: v.l,
        fanIn: v.fanIn,
        fanOut: v.fanOut,
        w: tf.variable(tf.tensor2d(w, [v.fanIn, v.fanOut])),
        b: tf.variable(tf.tensor1d(b)),
        gamma: tf.variable(tf.tensor1d(Float32Array.from(v.gamma))),
        beta: tf.variable(tf.tensor1d(Float32Array.from(v.beta))),
        emaMean: tf.variable(tf.tensor1d(v.mean ? Float32Array.from(v.mean) : new Float32Array(v.fanIn)), false),
        emaVar: tf.variable(
          tf.tensor1d(v.variance ? Float32Array.from(v.variance) : new Float32Array(v.fanIn).fill(1)),
          false,
        ),
        mask: v.mw ? prepareMask(v.mw, v.fanIn, v.fanOut) : undefined,
        bMask: v.mb ? tf.keep(tf.tensor1d(Float32Array.from(v.mb))) : undefined,
        mw: v.mw,
        mb: v.mb,
      };
    });
  }

  /** Trainable variables in checkpoint order, with their tensor names. */
  trainable(): { name: string; v: tf.Variable; decay: boolean }[] {
    return this.layers.flatMap((L) => [
      { name: `W${L.l}`, v: L.w, decay: true },
      { name: `b${L.l}`, v: L.b, decay: true },
      { name: `bn${L.l}.gamma`, v: L.gamma, decay: false },
      { name: `bn${L.l}.beta`, v: L.beta, decay: false },
    ]);
  }

  private linear(L: Layer, h: tf.Tensor2D): tf.Tensor2D {
    return L.mask
      ? maskedLinear(h, L.w as tf.Variable<tf.Rank.R2>, L.b as tf.Tensor1D, L.mask, L.bMask)
      : (tf.add(tf.matMul(h, L.w as tf.Tensor2D), L.b) as tf.Tensor2D);
  }

  /**
   * Training-mode forward pass (batch statistics). With `ema` = 'update' the running averages
   * move toward this batch's moments; 'set' overwrites them (spec §1.1: the EMA starts from the
   * first batch's moments at step 0). Call inside tf.tidy / variableGrads.
   */
  forwardTrain(x: tf.Tensor2D, ema: 'update' | 'set' | 'none'): tf.Tensor2D {
    let h = x;
    this.layers.forEach((L, i) => {
      const bn = batchNormTrain(h, L.gamma as tf.Tensor1D, L.beta as tf.Tensor1D, this.eps);
      if (ema !== 'none') {
        let { mean, variance } = bn;
        // Engine workaround: on the composed (non-native) path batchNormTrain's mean/variance are
        // created inside tf.customGrad's forward scope and come back already disposed.
        if (mean.isDisposed || variance.isDisposed)
          ({ mean, variance } = tf.moments(h, 0) as { mean: tf.Tensor1D; variance: tf.Tensor1D });
        if (ema === 'set') {
          L.emaMean.assign(mean);
          L.emaVar.assign(variance);
        } else {
          L.emaMean.assign(tf.add(tf.mul(L.emaMean, this.decay), tf.mul(mean, 1 - this.decay)));
          L.emaVar.assign(tf.add(tf.mul(L.emaVar, this.decay), tf.mul(variance, 1 - this.decay)));
        }
      }
      const z = this.linear(L, bn.y);
      h = i + 1 < this.layers.length ? tf.relu(z) : z;
    });
    return h;
  }

  /** Evaluation-mode forward pass with the running averages. */
  forwardEval(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    this.layers.forEach((L, i) => {
      const scale = tf.mul(L.gamma, tf.rsqrt(tf.add(L.emaVar, this.eps)));
      const shift = tf.sub(L.beta, tf.mul(L.emaMean, scale));
      const z = this.linear(L, tf.add(tf.mul(h, scale), shift) as tf.Tensor2D);
      h = i + 1 < this.layers.length ? tf.relu(z) : z;
    });
    return h;
  }

  setEmaFromBatch(x: tf.Tensor2D): void {
    tf.tidy(() => {
      this.forwardTrain(x, 'set');
    });
    this.emaReady = true;
  }

  /** Every parameter as a named float32 tensor (copies), in the contract's order. */
  export(): NamedTensor<Float32Array>[] {
    const read = (v: tf.Variable) => Float32Array.from(v.dataSync() as Float32Array);
    return this.layers.flatMap((L) => [
      { name: `W${L.l}`, shape: [L.fanIn, L.fanOut], data: read(L.w) },
      { name: `b${L.l}`, shape: [L.fanOut], data: read(L.b) },
      { name: `bn${L.l}.gamma`, shape: [L.fanIn], data: read(L.gamma) },
      { name: `bn${L.l}.beta`, shape: [L.fanIn], data: read(L.beta) },
      { name: `bn${L.l}.mean`, shape: [L.fanIn], data: read(L.emaMean) },
      { name: `bn${L.l}.var`, shape: [L.fanIn], data: read(L.emaVar) },
    ]);
  }

  /** Restores every tensor written by export() (a checkpoint). */
  import(t: Map<string, Float32Array>): void {
    for (const L of this.layers)
      for (const [name, v] of [
        [`W${L.l}`, L.w],
        [`b${L.l}`, L.b],
        [`bn${L.l}.gamma`, L.gamma],
        [`bn${L.l}.beta`, L.beta],
        [`bn${L.l}.mean`, L.emaMean],
        [`bn${L.l}.var`, L.emaVar],
      ] as const) {
        const data = t.get(name);
        if (!data || data.length !== v.size) throw new Error(`checkpoint lacks tensor '${name}' of ${v.size} values`);
        v.assign(tf.tensor(data, v.shape));
      }
  }

  /** Number of masked weights/biases that are not exactly zero (must stay 0: self-check). */
  maskedNonZero(): number {
    let bad = 0;
    for (const L of this.layers) {
      if (L.mw) {
        const w = L.w.dataSync();
        for (let i = 0; i < w.length; i++) if (!L.mw[i] && w[i] !== 0) bad++;
      }
      if (L.mb) {
        const b = L.b.dataSync();
        for (let i = 0; i < b.length; i++) if (!L.mb[i] && b[i] !== 0) bad++;
      }
    }
    return bad;
  }

  dispose(): void {
    for (const L of this.layers) {
      for (const v of [L.w, L.b, L.gamma, L.beta, L.emaMean, L.emaVar]) v.dispose();
      L.mask?.dispose();
      L.bMask?.dispose();
    }
  }
}
