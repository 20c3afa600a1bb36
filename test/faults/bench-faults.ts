// `npm run bench:faults [-- store|pipeline]` (issue 16 §8): every fault injection of the suite —
// the store-level ones (store-faults.ts, also run by `npm test`) and the end-to-end ones through
// `imp run` (pipeline-faults.ts, minutes) — counted in one vocabulary (vocabulary.ts). Prints
// one JSON line last: {injected, detected, survived, lost, skipped, by_suite, by_kind}; exits 1
// if anything was lost. FAULT_SEED picks the kill moments, FAULT_KILLS their number per task.
import { pipelineFaults } from './pipeline-faults.ts';
import { storeInjections } from './store-faults.ts';
import { Tally } from './vocabulary.ts';

const only = process.argv[2];
if (only && only !== 'store' && only !== 'pipeline') throw new Error(`usage: bench-faults.ts [store|pipeline]`);
const tally = new Tally();
if (only !== 'pipeline') for (const inj of storeInjections()) await tally.run('store', inj);
if (only !== 'store')
  await pipelineFaults(tally, {
    seed: Number(process.env.FAULT_SEED ?? 1),
    killsPerTask: Number(process.env.FAULT_KILLS ?? 2),
  }).catch((e: unknown) => {
    // the harness itself failed (e.g. the reference run): that is a loss, not a pass
    tally.record('pipeline', 'harness', 'the end-to-end suite', { outcome: 'lost', detail: (e as Error).message });
  });
if (tally.lost.length) process.stderr.write(`[faults] LOST:\n  ${tally.lost.join('\n  ')}\n`);
console.log(tally.summary());
process.exitCode = tally.lost.length ? 1 : 0;
