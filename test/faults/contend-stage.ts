// A tiny stage run as a child process by the race and lock faults (store-faults.ts):
// it sleeps FAULT_SLEEP_MS inside run() so that workers overlap or can be killed while
// holding the lock, then writes one file. argv: <store> [n]. Prints {"skipped","dir"}.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runStage, type StageDef } from '@imp/artifacts';

const def: StageDef = {
  name: 'fault-contend',
  algoVersion: '1',
  description: 'sleeps, then writes a metrics-kind artifact (fault tests)',
  config: z.object({ n: z.number().default(1) }),
  inputs: {},
  outputs: { final: { kind: 'metrics', description: 'one text file' } },
  async run(ctx) {
    await new Promise((r) => setTimeout(r, Number(process.env.FAULT_SLEEP_MS ?? 500)));
    await ctx.write('final', async (d) => writeFileSync(join(d, 'x.txt'), `config=${JSON.stringify(ctx.config)}\n`));
  },
};
const r = await runStage(def, {
  config: { n: Number(process.argv[3] ?? 1) },
  inputs: {},
  store: process.argv[2]!,
  log: (l) => process.stderr.write(`[fault-contend ${process.pid}] ${l}\n`),
});
process.stdout.write(JSON.stringify({ skipped: r.skipped, dir: r.outputs.final!.dir }) + '\n');
