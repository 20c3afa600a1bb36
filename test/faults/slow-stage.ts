// A tiny stage run as a child process by the concurrency fault: it sleeps so that two
// workers overlap, then writes one file. argv: <store>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runStage, type StageDef } from '@imp/artifacts';

const def: StageDef = {
  name: 'fault-slow',
  algoVersion: '1',
  description: 'sleeps, then writes a metrics-kind artifact (fault tests)',
  config: z.object({ n: z.number().default(1) }),
  inputs: {},
  outputs: { final: { kind: 'metrics', description: 'a file' } },
  async run(ctx) {
    await new Promise((r) => setTimeout(r, 400));
    await ctx.write('final', async (d) => writeFileSync(join(d, 'x.txt'), `n=${JSON.stringify(ctx.config)}\n`));
  },
};
const r = await runStage(def, { config: {}, inputs: {}, store: process.argv[2]!, log: () => {} });
process.stdout.write(JSON.stringify({ skipped: r.skipped }) + '\n');
