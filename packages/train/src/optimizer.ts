import { tf } from '@imp/engine';
import type { NamedTensor } from '@imp/artifacts';

export interface OptimConfig {
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  weightDecay: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
}

interface Param {
  name: string;
  v: tf.Variable;
  decay: boolean;
}

/**
 * SGD (optionally with momentum) and Adam, written out so that their whole state is a list of
 * named tensors we checkpoint (tfjs' optimizers hide theirs). Weight decay is L2 added to the
 * gradient of W and b only. Adam's step count is the training step, so it needs no state.
 * A masked entry has zero gradient and zero value, so every rule below leaves it at exactly 0.
 */
export class Optimizer {
  private slots = new Map<string, tf.Variable[]>();

  constructor(
    private cfg: OptimConfig,
    private params: Param[],
  ) {
    const nSlots = cfg.optimizer === 'adam' ? 2 : cfg.momentum > 0 ? 1 : 0;
    for (const p of params)
      this.slots.set(
        p.name,
        Array.from({ length: nSlots }, () => tf.variable(tf.zerosLike(p.v), false)),
      );
  }

  /** Applies one update; `step` is the 0-based index of the update. Call inside tf.tidy. */
  apply(grads: Record<string, tf.Tensor>, step: number): void {
    const c = this.cfg;
    for (const p of this.params) {
      let g = grads[p.v.name]!;
      if (c.weightDecay > 0 && p.decay) g = tf.add(g, tf.mul(p.v, c.weightDecay));
      const s = this.slots.get(p.name)!;
      if (c.optimizer === 'sgd') {
        if (s.length === 0) p.v.assign(tf.sub(p.v, tf.mul(g, c.lr)));
        else {
          s[0]!.assign(tf.add(tf.mul(s[0]!, c.momentum), g));
          p.v.assign(tf.sub(p.v, tf.mul(s[0]!, c.lr)));
        }
      } else {
        const t = step + 1;
        const [m, v] = s as [tf.Variable, tf.Variable];
        m.assign(tf.add(tf.mul(m, c.adamBeta1), tf.mul(g, 1 - c.adamBeta1)));
        v.assign(tf.add(tf.mul(v, c.adamBeta2), tf.mul(tf.square(g), 1 - c.adamBeta2)));
        const lrT = (c.lr * Math.sqrt(1 - Math.pow(c.adamBeta2, t))) / (1 - Math.pow(c.adamBeta1, t));
        p.v.assign(tf.sub(p.v, tf.div(tf.mul(m, lrT), tf.add(tf.sqrt(v), c.adamEpsilon))));
      }
    }
  }

  export(): NamedTensor<Float32Array>[] {
    return [...this.slots].flatMap(([name, vs]) =>
      vs.map((v, i) => ({
        name: `opt.${name}.${i}`,
        shape: v.shape,
        data: Float32Array.from(v.dataSync() as Float32Array),
      })),
    );
  }

  import(t: Map<string, Float32Array>): void {
    for (const [name, vs] of this.slots)
      vs.forEach((v, i) => {
        const d = t.get(`opt.${name}.${i}`);
        if (!d || d.length !== v.size) throw new Error(`checkpoint lacks optimizer slot 'opt.${name}.${i}'`);
        v.assign(tf.tensor(d, v.shape));
      });
  }

  dispose(): void {
    for (const vs of this.slots.values()) for (const v of vs) v.dispose();
  }
}
