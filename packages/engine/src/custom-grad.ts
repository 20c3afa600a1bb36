import { tf } from './tf.ts';

export type GradFunc3 = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/**
 * tf.customGrad for ops of three tensor inputs, with named, typed parameters
 * (tfjs types the callback as a rest parameter of Tensor | GradSaveFunc).
 */
export function customGrad3<T extends tf.Tensor>(
  f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, save: tf.GradSaveFunc) => { value: T; gradFunc: GradFunc3 },
): (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => T {
  const g = tf.customGrad<T>((...args: Array<tf.Tensor | tf.GradSaveFunc>) =>
    f(args[0] as tf.Tensor, args[1] as tf.Tensor, args[2] as tf.Tensor, args[3] as tf.GradSaveFunc),
  );
  return (a, b, c) => g(a, b, c);
}
