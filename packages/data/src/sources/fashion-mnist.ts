import { z } from 'zod';
import { defineSource } from '../define.ts';
import { loadIdxDir } from './mnist.ts';

/** Class order of the official Fashion-MNIST labels 0..9 (Xiao, Rasul & Vollgraf 2017). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export const fashionMnistSource = defineSource({
  name: 'fashion-mnist',
  description:
    'Fashion-MNIST, 60000 train / 10000 test 28x28 grey clothing images (Zalando); val = the official test set',
  options: {
    dir: z
      .string()
      .default('/usr/share/datasets/fashion-mnist')
      .describe(
        'directory with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (Debian package dataset-fashion-mnist installs them here)',
      ),
  },
  contentInputs: (cfg) => ({ dir: { path: cfg.dir } }),
  async load(cfg) {
    const ds = loadIdxDir(
      cfg.dir,
      'Fashion-MNIST (github.com/zalandoresearch/fashion-mnist; Debian package dataset-fashion-mnist)',
      FASHION_MNIST_CLASSES,
    );
    ds.provenance = { ...ds.provenance, dataset: 'Fashion-MNIST' };
    return ds;
  },
});
