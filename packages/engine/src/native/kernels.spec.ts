// Every kernel the native backend overrides, checked against tfjs-cpu on
// random shapes (odd sizes, transposes, broadcasts, reductions).
import { test } from 'node:test';
import { tf } from '../tf.ts';
import { Rng, randomNormals } from '@imp/artifacts';
import { assertClose, nativeAvailable, useBackend } from '../test-util.ts';

const skip = nativeAvailable() ? false : 'native addon not built';

type Case = {
  name: string;
  shapes: number[][];
  run: (...xs: tf.Tensor[]) => tf.Tensor;
  tol?: number;
  positive?: boolean;
};

async function compare(c: Case, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const data = c.shapes.map((s) => {
    const a = randomNormals(
      rng,
      s.reduce((p, q) => p * q, 1),
    );
    if (c.positive) for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i]) + 0.1;
    return a;
  });
  const results: Float32Array[] = [];
  const shapesOut: number[][] = [];
  for (const backend of ['cpu', 'native'] as const) {
    await useBackend(backend);
    const out = tf.tidy(() => c.run(...data.map((d, i) => tf.tensor(d, c.shapes[i]))));
    results.push(out.dataSync() as Float32Array);
    shapesOut.push(out.shape);
    out.dispose();
  }
  assertClose(results[1], results[0], c.tol ?? 1e-5, `${c.name} ${JSON.stringify(c.shapes)}`);
  if (JSON.stringify(shapesOut[0]) !== JSON.stringify(shapesOut[1])) {
    throw new Error(`${c.name}: shape ${shapesOut[1]} != cpu ${shapesOut[0]}`);
  }
}

const mm = (ta: boolean, tb: boolean) => (a: tf.Tensor, b: tf.Tensor) =>
  tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb);

test('matMul with transposes and odd sizes', { skip }, async () => {
  for (const [m, k, n] of [
    [1, 1, 1],
    [7, 13, 5],
    [65, 129, 33],
    [200, 300, 100],
    [3, 500, 2],
  ]) {
    await compare(
      {
        name: 'mm NN',
        shapes: [
          [m, k],
          [k, n],
        ],
        run: mm(false, false),
      },
      m,
    );
    await compare(
      {
        name: 'mm TN',
        shapes: [
          [k, m],
          [k, n],
        ],
        run: mm(true, false),
      },
      m + 1,
    );
    await compare(
      {
        name: 'mm NT',
        shapes: [
          [m, k],
          [n, k],
        ],
        run: mm(false, true),
      },
      m + 2,
    );
    await compare(
      {
        name: 'mm TT',
        shapes: [
          [k, m],
          [n, k],
        ],
        run: mm(true, true),
      },
      m + 3,
    );
  }
});

test('batched matMul incl. batch broadcast', { skip }, async () => {
  await compare(
    {
      name: 'bmm',
      shapes: [
        [3, 5, 7],
        [3, 7, 4],
      ],
      run: mm(false, false),
    },
    1,
  );
  await compare(
    {
      name: 'bmm bcast',
      shapes: [
        [3, 5, 7],
        [1, 7, 4],
      ],
      run: mm(false, false),
    },
    2,
  );
  await compare(
    {
      name: 'bmm T',
      shapes: [
        [2, 7, 5],
        [2, 4, 7],
      ],
      run: mm(true, true),
    },
    3,
  );
});

test('fused matMul: bias and relu', { skip }, async () => {
  for (const act of ['linear', 'relu'] as const) {
    await compare(
      {
        name: `fused ${act}`,
        shapes: [[37, 50], [50, 23], [23]],
        run: (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: act }),
      },
      4,
    );
    await compare(
      {
        name: `fused T ${act}`,
        shapes: [
          [50, 37],
          [23, 50],
          [1, 23],
        ],
        run: (a, b, bias) =>
          tf.fused.matMul({
            a: a as tf.Tensor2D,
            b: b as tf.Tensor2D,
            bias,
            activation: act,
            transposeA: true,
            transposeB: true,
          }),
      },
      5,
    );
  }
});

test('binary ops in every broadcast mode', { skip }, async () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, boolean?][] = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div, true],
    ['max', tf.maximum],
    ['min', tf.minimum],
    ['sqdiff', tf.squaredDifference],
  ];
  const shapes: number[][][] = [
    [
      [97, 61],
      [97, 61],
    ],
    [[97, 61], [61]],
    [
      [97, 61],
      [1, 61],
    ],
    [[61], [97, 61]],
    [[97, 61], []],
    [[], [97, 61]],
    [[5, 40, 33], [33]],
    [
      [97, 61],
      [97, 1],
    ],
    [
      [97, 1],
      [97, 61],
    ],
    [
      [5, 40, 33],
      [5, 40, 1],
    ],
    [[3, 4], [4]],
  ];
  for (const [name, op, positive] of ops) {
    for (const s of shapes) await compare({ name, shapes: s, run: op, positive }, s.length);
  }
});

test('unary ops', { skip }, async () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor, boolean?][] = [
    ['relu', tf.relu],
    ['step', (x) => tf.step(x, 0.25)],
    ['neg', tf.neg],
    ['exp', tf.exp],
    ['log', tf.log, true],
    ['sqrt', tf.sqrt, true],
    ['rsqrt', tf.rsqrt, true],
    ['square', tf.square],
    ['abs', tf.abs],
    ['relu6', (x) => tf.relu6(tf.mul(x, 4))],
  ];
  for (const [name, op, positive] of ops) {
    for (const s of [[4099], [101, 77], [3, 5]]) await compare({ name, shapes: [s], run: op, positive }, 9);
  }
});

test('reductions over leading and trailing axes', { skip }, async () => {
  const ops: [string, (x: tf.Tensor, axis: number | number[], keep: boolean) => tf.Tensor][] = [
    ['sum', tf.sum],
    ['mean', tf.mean],
    ['max', tf.max],
    ['min', tf.min],
  ];
  const cases: [number[], number | number[]][] = [
    [[301, 77], 0],
    [[301, 77], 1],
    [[301, 77], -1],
    [
      [301, 77],
      [0, 1],
    ],
    [
      [7, 30, 41],
      [0, 1],
    ],
    [
      [7, 30, 41],
      [1, 2],
    ],
    [[7, 30, 41], 1],
    [[5000], 0],
    [[1, 9000], 0],
    [[9000, 1], 1],
  ];
  for (const [name, op] of ops) {
    for (const [shape, axis] of cases) {
      for (const keep of [false, true]) {
        await compare(
          { name: `${name} axis ${axis} keep ${keep}`, shapes: [shape], run: (x) => op(x, axis, keep), tol: 1e-5 },
          11,
        );
      }
    }
  }
});

test('non-float inputs fall back to the cpu kernels', { skip }, async () => {
  await useBackend('native');
  const a = tf.tensor1d(
    new Int32Array(5000).map((_, i) => i),
    'int32',
  );
  const s = tf.sum(a);
  if (s.dtype !== 'int32' || s.dataSync()[0] !== (4999 * 5000) / 2) throw new Error('int32 sum wrong');
  tf.dispose([a, s]);
});
