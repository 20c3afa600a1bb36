// The single tfjs instance of the project. Every package must import `tf` from
// @imp/engine (never from '@tensorflow/tfjs*' directly) so that kernels,
// backends, variables and gradients all live in one engine registry.
import * as tf from '@tensorflow/tfjs-core';
// Side effect: registers the 'cpu' backend and its kernels on this instance.
import '@tensorflow/tfjs-backend-cpu';
// Side effect: registers the gradient functions (tfjs-core alone has none).
// The union package is the only build that registers them on the CommonJS
// tfjs-core instance everyone shares; costs ~0.2 s of import time.
import '@tensorflow/tfjs';

export { tf };
