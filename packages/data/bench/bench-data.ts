/**
 * Data-stage benchmark (issue 9): builds the natural-patch dataset (10 python3-skimage
 * photographs, 7000 crops each = 70k crops, 28×28 gray, standardised) and its Gaussian
 * clone, as the data stage does (source + transform, in memory; no files written).
 * The photographs are fetched into the cache first (not timed): the goal is the build.
 * Last line: JSON { photo_dataset_s, clone_s, ... }. Goals: ≤ 10 s each.
 */
import { Rng } from '@imp/artifacts';
import { photosSource } from '../src/photos/source.ts';
import { locateSkimagePhotos } from '../src/photos/skimage.ts';
import { gaussianCloneTransform } from '../src/clone/transform.ts';
import { transformStream, SOURCE_STREAM } from '../src/stage.ts';

const log = (m: string) => process.stderr.write(`[bench-data] ${m}\n`);
const seed = 0;
const pkg = locateSkimagePhotos({ log });
log(`photos: ${pkg.package} ${pkg.version} (${pkg.origin}) in ${pkg.dir}`);

// Engine start-up (tfjs import, backend choice) is not part of the clone's work.
const { initEngine } = await import('@imp/engine');
const engine = await initEngine();

let t = performance.now();
const srcCfg = photosSource.schema.parse({ name: 'photos' });
const ds = await photosSource.load(srcCfg, { rng: new Rng(seed, SOURCE_STREAM), seed, log });
const photo_dataset_s = (performance.now() - t) / 1000;
log(
  `photo dataset: ${ds.train.y.length} train + ${ds.val.y.length} val crops, ${ds.layout.height}x${ds.layout.width}x${ds.layout.channels}, ${photo_dataset_s.toFixed(2)} s`,
);

t = performance.now();
const cfg = gaussianCloneTransform.schema.parse({ name: 'gaussian-clone' });
const r = await gaussianCloneTransform.apply(ds, cfg, { rng: new Rng(seed, transformStream(0)), seed, log });
const clone_s = (performance.now() - t) / 1000;
const rec = r.record as { classes: { jitter_rel: number }[] };
log(`clone: ${clone_s.toFixed(2)} s on ${engine.backend}`);

console.log(
  JSON.stringify({
    photo_dataset_s: +photo_dataset_s.toFixed(3),
    clone_s: +clone_s.toFixed(3),
    n_crops: ds.train.y.length + ds.val.y.length,
    dim: ds.layout.channels * ds.layout.height * ds.layout.width,
    backend: engine.backend,
    max_jitter_rel: Math.max(...rec.classes.map((c) => c.jitter_rel)),
  }),
);
