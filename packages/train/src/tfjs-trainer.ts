// The tfjs kernel path (reference and fallback: wasm, cpu, Adam, IMP_FUSED=0). Imported by run.ts
// only when the fused step does not apply, so fused runs never load tfjs.
import { tf } from '@imp/engine';
import { evaluate } from './evaluate.ts';
import { Net, type LayerValues } from './model.ts';
import { Optimizer } from './optimizer.ts';
import type { TrainConfig } from './stage.ts';
import type { Trainer } from './trainer.ts';

export function tfjsTrainer(
  values: LayerValues[],
  c: TrainConfig,
  dim: number,
  classes: number,
  evalB: number,
): Trainer {
  const net = new Net(values, c.bnEpsilon, c.bnDecay);
  const params = net.trainable();
  const opt = new Optimizer(c, params);
  const B = c.batchSize;
  const xb = new Float32Array(B * dim);
  const evBuf = new Float32Array(evalB * dim);
  const evIdx = new Int32Array(evalB);
  return {
    kind: 'tfjs',
    get emaReady() {
      return net.emaReady;
    },
    set emaReady(v: boolean) {
      net.emaReady = v;
    },
    input: () => xb,
    setEmaFromBatch() {
      const x = tf.tensor2d(xb, [B, dim]);
      net.setEmaFromBatch(x);
      x.dispose();
    },
    step(labels, step) {
      const x = tf.tensor2d(xb, [B, dim]);
      const y = tf.tensor1d(labels, 'int32');
      const loss = tf.tidy(() => {
        const onehot = tf.oneHot(y, classes).toFloat();
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(onehot, net.forwardTrain(x, 'update')) as tf.Scalar,
          params.map((p) => p.v),
        );
        opt.apply(grads, step);
        return value.dataSync()[0]!;
      });
      x.dispose();
      y.dispose();
      return loss;
    },
    evaluate(ds, split, n) {
      return evaluate(net, ds, split, n, evalB, evBuf, evIdx);
    },
    exportParams: () => net.export(),
    exportState: () => [...net.export(), ...opt.export()],
    import(t) {
      net.import(t);
      opt.import(t);
    },
    maskedNonZero: () => net.maskedNonZero(),
    dispose() {
      net.dispose();
      opt.dispose();
    },
  };
}
