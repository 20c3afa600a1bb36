// The findings flow end to end on two tiny experiments over two seeds: `npm run findings`
// (imp results --run: estimate, imp run findings, RESULTS.md), the findings page, and the
// RESULTS.md check — regenerated identically from the same artifacts, stale on a changed plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { executedTasks, makeWorkspace, tinyMnistData } from './workspace.ts';

const exp = (name: string, prune: Record<string, unknown>) => ({
  name,
  description: `tiny ${name} over two seeds`,
  seeds: [0, 1],
  data: tinyMnistData(),
  train: { config: { arch: 'f16:x', steps: 30, batchSize: 50, lr: 0.1, evalEvery: 15 } },
  prune: { levels: 1, config: prune },
  rewind: { step: 5, config: { mode: 'late' } },
  analysis: { config: { nullSamples: 1, ablationLevels: [] } },
});

const findings = {
  name: 'findings',
  description: 'tiny findings',
  claims: [
    {
      id: 'dense-calibration',
      title: 'a dense first layer has locality ratio 1',
      effect: { kind: 'reference', experiment: 'tiny-imp', metric: 'locality_ratio', u: [0.9, 1] },
      rule: { reproducedIf: 'equal', value: 1 },
    },
    {
      id: 'gain',
      title: 'the best ticket beats the dense net',
      paper: '+45 % relative',
      paperValue: 0.45,
      effect: { kind: 'scalar', experiment: 'tiny-imp', metric: 'gain_over_dense_rel' },
      rule: { reproducedIf: 'above', value: 0 },
    },
    { id: 'later', title: 'not measured yet', pending: 'no such measure' },
  ],
};

// One experiment over two seeds keeps this quick; the effect kinds are tested on hand-made
// aggregates in packages/findings.
const ws = makeWorkspace({ 'tiny-imp': exp('tiny-imp', { fraction: 0.3 }) });
ws.write('findings', findings, 'findings.yaml');
const results = () => readFileSync(join(ws.root, 'RESULTS.md'), 'utf8');

test('RESULTS.md: honest before a run, computed after npm run findings, identical when regenerated, stale on a changed plan', () => {
  let r = ws.imp('results', '--check');
  assert.notEqual(r.code, 0);
  assert.match(r.out, /RESULTS\.md is missing/);

  // Before any run: no numbers, the missing experiments named, and the check passes (same plan).
  r = ws.imp('results', '--write');
  assert.equal(r.code, 0, r.out);
  assert.match(results(), /not computed yet/);
  assert.match(results(), /\(1 of 1\): `tiny-imp`/);
  assert.doesNotMatch(results(), /\*\*reproduced\*\*/);
  assert.equal(ws.imp('results', '--check').code, 0);

  // npm run findings: estimate, the whole suite through imp run findings, then RESULTS.md.
  r = ws.imp('results', '--run');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /findings: \d+ of \d+ stage runs to do \([\d,]+ training steps\); estimated wall time /);
  const ran = [...executedTasks(r.out, 'tiny-imp'), ...executedTasks(r.out, 'findings')];
  for (const t of ['aggregate', 'findings', 'findings-page'])
    assert.ok(ran.includes(t), `${t} ran (${ran.join(', ')})`);
  assert.match(r.out, /Findings: .*\/report-[0-9a-f]{20}\/index\.html/);
  const page = /Findings: (\S+index\.html)/.exec(r.out)![1]!;
  assert.ok(existsSync(page));
  assert.match(readFileSync(page, 'utf8'), /dense-calibration/);
  // The page links each experiment's report (bands over seeds), and that report exists.
  const link = /<code>tiny-imp<\/code> \(<a href="(\.\.\/report-[0-9a-f]{20}\/index\.html)">report<\/a>/.exec(
    readFileSync(page, 'utf8'),
  );
  assert.ok(link, 'the findings page links the experiment report');
  assert.ok(existsSync(join(dirname(page), link[1]!)), `${link[1]} exists beside the page`);
  const text = results();
  assert.match(text, /Status: \*\*computed\*\*/);
  // Level 0 is dense in every seed: ratio exactly 1, a zero-width interval on 1.
  assert.match(text, /\| \*\*dense-calibration\*\* .* \| 1 \[1, 1\], n = 2 \(L0, u = 100 %\) \| \*\*reproduced\*\* \|/);
  assert.match(
    text,
    /\| \*\*gain\*\* .* \| \+45 % relative \(0\.45\) \| .*n = 2 \| \*\*(reproduced|contradicted|inconclusive)\*\* \|/,
  );
  assert.match(text, /\| \*\*later\*\* not measured yet \| {2}\| – \| pending \| – \|/);
  assert.equal(ws.imp('results', '--check').code, 0, 'the file just written matches');

  // Regenerated from the same artifacts: the same bytes; nothing runs again.
  assert.equal(ws.imp('results', '--write').code, 0);
  assert.equal(results(), text);
  r = ws.imp('run', 'findings');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /all \d+ stage runs up to date/);

  // A config change upstream of the findings: the recorded id is stale, and the check says what to run.
  ws.write('tiny-imp', {
    ...exp('tiny-imp', { fraction: 0.3 }),
    analysis: { config: { nullSamples: 1, ablationLevels: [], r: 2 } },
  });
  r = ws.imp('results', '--check');
  assert.notEqual(r.code, 0);
  assert.match(
    r.out,
    /RESULTS\.md records findings [0-9a-f]{20} but pipelines\/findings\.yaml now plans [0-9a-f]{20}.*npm run findings/,
  );
});

/** PIDs of live processes whose working directory is `dir` (the workspace's imp, nx and stage processes). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/cwd`) === dir) pids.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('npm run findings: a signal to imp results stops the run it started, stage processes included', async () => {
  // The previous test left a changed plan, so there is work to do again.
  const child = ws.spawnImp({}, 'results', '--run');
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b));
  child.stderr!.on('data', (b: Buffer) => (out += b));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // Wait until imp run has started its stage processes (Nx prints each task it starts).
  for (let i = 0; i < 600 && !/nx run/.test(out); i++) await sleep(100);
  assert.match(out, /nx run/, `the run started: ${out}`);
  child.kill('SIGTERM');
  await exited;
  let left = processesIn(ws.root);
  for (let i = 0; i < 100 && left.length; i++) {
    await sleep(100);
    left = processesIn(ws.root);
  }
  assert.deepEqual(left, [], `processes still running in the workspace after imp results was stopped: ${left}`);
});
