import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openArtifact, readMetricsFile, readTensorFile, runStage } from '@imp/artifacts';
import { trainStage } from './stage.ts';
import { quiet, syntheticDataset, tempStore } from './test-helpers.ts';

// Stage packages never import each other: the mask and rewind stages run through their CLIs,
// as the pipeline would run them.
const cliOf = (pkg: string) => fileURLToPath(new URL(`../../${pkg}/src/cli.ts`, import.meta.url));
function stageCli(pkg: string, store: string, cfg: object, inputs: Record<string, string>): Record<string, string> {
  const args = [
    '--import',
    'tsx',
    cliOf(pkg),
    '--config',
    JSON.stringify(cfg),
    '--store',
    store,
    ...Object.entries(inputs).flatMap(([r, d]) => ['--in', `${r}=${d}`]),
  ];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').at(-1)!).outputs;
}

test('end to end: 3 IMP levels (train → mask → late rewind → train) on a tiny net', async () => {
  const store = tempStore();
  const ds = await syntheticDataset(store, { n: 800, nVal: 300 });
  const arch = 'f24:f12:x';
  const train = { arch, steps: 150, batchSize: 50, evalEvery: 50, checkpointEvery: 100 };
  const l0 = await runStage(trainStage, {
    config: { ...train, level: 0, rewindStep: 20 },
    inputs: { dataset: ds.dir },
    store,
    log: quiet,
  });
  let final = l0.outputs.final!.dir;
  let prevMask: string | undefined;
  const best: number[] = [];
  best.push((await openArtifact(l0.outputs.metrics!.dir)).manifest.summary.best_val_top1 as number);
  for (let k = 1; k <= 2; k++) {
    const mask = stageCli(
      'mask',
      store,
      { level: k },
      { params: final, ...(prevMask ? { previous: prevMask } : {}) },
    ).mask!;
    const start = stageCli('rewind', store, { mode: 'late' }, { source: l0.outputs.rewind!.dir, mask }).params!;
    const r = await runStage(trainStage, {
      config: { ...train, level: k, rewindStep: null },
      inputs: { dataset: ds.dir, start, mask },
      store,
      log: quiet,
    });
    const { tensors } = readTensorFile((await openArtifact(mask)).file('mask.arrow'), 'uint8');
    const m = new Map(tensors.map((t) => [t.name, t.data]));
    const p = new Map(
      readTensorFile((await openArtifact(r.outputs.final!.dir)).file('params.arrow'), 'float32').tensors.map((t) => [
        t.name,
        t.data,
      ]),
    );
    for (const [l, n] of [
      [1, 36 * 24 + 24],
      [2, 24 * 12 + 12],
    ] as const) {
      const kept = [...m.get(`W${l}`)!, ...m.get(`b${l}`)!].reduce((s, v) => s + v, 0);
      assert.equal(kept, Math.round(n * 0.7 ** k), `layer ${l} level ${k}`);
      const w = p.get(`W${l}`)!;
      m.get(`W${l}`)!.forEach((v, i) => v === 0 && assert.equal(w[i], 0));
    }
    const met = await openArtifact(r.outputs.metrics!.dir);
    assert.ok(readMetricsFile(met.file('metrics.arrow')).every((row) => row.level === k));
    best.push(met.manifest.summary.best_val_top1 as number);
    final = r.outputs.final!.dir;
    prevMask = mask;
  }
  assert.ok(
    best.every((b) => b > 0.6),
    `each level learns (${best})`,
  );
});
