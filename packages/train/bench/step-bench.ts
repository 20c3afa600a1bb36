// ms/step of the train stage's hot loop (gather + forward + backward + update), from the
// metrics summary. Usage: npx tsx packages/train/bench/step-bench.ts [arch] [side] [batch] [steps] [classes]
// e.g. 784-300-100-10 batch 100: `f300:f100:x 28 100 300 10`. IMP_BACKEND picks the backend.
import { openArtifact, runStage } from '@imp/artifacts';
import { trainStage } from '../src/stage.ts';
import { syntheticDataset, tempStore } from '../src/test-helpers.ts';

const [arch = 'f300:f100:x', side = '28', batch = '100', steps = '300', classes = '10'] = process.argv.slice(2);
const store = tempStore();
const ds = await syntheticDataset(store, { n: 5000, nVal: 1000, side: Number(side), classes: Number(classes) });
const r = await runStage(trainStage, {
  config: {
    arch,
    steps: Number(steps),
    batchSize: Number(batch),
    evalEvery: Number(steps),
    rewindStep: null,
    checkpointEvery: 1e9,
  },
  inputs: { dataset: ds.dir },
  store,
  log: () => {},
});
const m = await openArtifact(r.outputs.metrics!.dir);
console.log(
  JSON.stringify({
    arch,
    input: Number(side) ** 2,
    batch: Number(batch),
    steps: Number(steps),
    backend: (m.manifest.backend as any).backend,
    ms_per_step_hot: m.manifest.summary.ms_per_step,
    wall_ms_per_step: (1000 * m.manifest.timings.train_s!) / Number(steps),
  }),
);
