// What a sweep over several machines relies on, tested on one: a store shared by
// two workspaces (two "machines"), an external scheduler running `imp run --plan`
// steps one by one, and a comparison page across experiments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALT_REWIND, executedTasks, makeWorkspace, tinyMnistData } from './workspace.ts';

const exp = (name: string, fraction: number) => ({
  name,
  seed: 2,
  data: tinyMnistData(),
  train: { config: { arch: 'f16:x', steps: 30, batchSize: 40, lr: 0.1, evalEvery: 15 } },
  prune: { levels: 1, config: { fraction } },
  rewind: { step: 5 },
});

const a = makeWorkspace({ one: exp('one', 0.3), two: exp('two', 0.6) });
const b = makeWorkspace({ one: exp('one', 0.3) });
b.store = a.store; // the shared file system

test('an external scheduler can run the --plan steps one by one', () => {
  const plan = a.imp('run', 'one', '--plan', '--json');
  assert.equal(plan.code, 0, plan.out);
  const steps = JSON.parse(plan.out) as { steps: { task: string; argv: string[]; dependsOn: string[] }[] };
  assert.deepEqual(
    steps.steps.map((s) => s.task),
    ['data', 'train-L0', 'mask-L1', 'rewind-L1', 'train-L1', 'analysis', 'report'],
  );
  const done = new Set<string>();
  for (const s of steps.steps) {
    assert.ok(
      s.dependsOn.every((d) => done.has(d)),
      `${s.task} listed before its dependencies`,
    );
    const argv =
      s.argv[0] === 'npx' ? [process.execPath, join(a.root, 'node_modules/.bin/imp'), ...s.argv.slice(2)] : s.argv;
    const r = spawnSync(argv[0]!, argv.slice(1), {
      cwd: a.root,
      encoding: 'utf8',
      env: { ...process.env, IMP_STORE: a.store },
    });
    assert.equal(r.status, 0, `${s.task}: ${r.stderr}`);
    done.add(s.task);
  }
  assert.match(a.imp('status', 'one').out, /7 done, 0 stale, 0 missing/);
});

test('a second machine sharing the store computes nothing', () => {
  const r = b.imp('run', 'one');
  assert.equal(r.code, 0, r.out);
  // Machine b has never run anything: the store alone says every artifact is there.
  assert.match(r.out, /one: all 7 stage runs up to date/);
  assert.deepEqual(executedTasks(r.out, 'one'), []);
});

test('a comparison page runs both experiments and shows them side by side', () => {
  a.write('both', { name: 'both', description: 'fraction 0.3 vs 0.6', compare: ['one', 'two'] });
  const r = a.imp('run', 'both');
  assert.equal(r.code, 0, r.out);
  // `one` is fully done already: only `two` trains, and it shares data and train-L0 with `one`.
  const ran = executedTasks(r.out, 'two');
  assert.ok(ran.includes('mask-L1') && ran.includes('report'), ran.join(','));
  assert.ok(!ran.includes('data') && !ran.includes('train-L0'), ran.join(','));
  assert.deepEqual(executedTasks(r.out, 'one'), []);
  const page = readdirSync(a.store)
    .filter((d) => d.startsWith('report-'))
    .map((d) => join(a.store, d, 'index.html'));
  assert.ok(page.length >= 3 && page.every(existsSync));
});

// A store outside the workspace (the README's shared-store mode): Nx cannot see it.
const outside = mkdtempSync(join(tmpdir(), 'imp-store-'));
const c = makeWorkspace({ ext: exp('ext', 0.3) }, { store: join(outside, 'store') });
const altRewind = (name: string, fraction: number) => ({
  ...exp(name, fraction),
  rewind: { step: 5, stage: ALT_REWIND },
});
const log = join(outside, 'alt-rewind.log');
const logLines = (what: string) =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(`${what} `))
    : [];
const planOf = (w: typeof c, name: string) =>
  JSON.parse(w.imp('run', name, '--plan', '--json').out) as {
    steps: { task: string; outputs: Record<string, string> }[];
  };
const strip = (s: string) => s.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), '');

test("planning one experiment runs no other experiment's --describe; --describe answers are cached", () => {
  c.write('other', altRewind('other', 0.4));
  const env = { ALT_REWIND_LOG: log };
  for (const args of [
    ['run', 'ext'],
    ['status', 'ext'],
    ['run', 'ext', '--plan'],
  ]) {
    const r = c.impEnv(env, ...args);
    assert.equal(r.code, 0, r.out);
  }
  assert.deepEqual(logLines('describe'), [], 'planning ext ran the external command of other');
  assert.equal(c.impEnv(env, 'status', 'other').code, 0);
  const first = logLines('describe').length;
  assert.ok(first >= 1);
  assert.equal(c.impEnv(env, 'status', 'other').code, 0);
  assert.equal(logLines('describe').length, first, 'a second plan described the command again');
  rmSync(join(c.root, 'pipelines', 'other.json'));
});

test('outside the workspace, a flipped byte in a dataset file fails the run by name', () => {
  const dataset = planOf(c, 'ext').steps.find((s) => s.task === 'data')!.outputs.dataset!;
  const f = join(dataset, 'train.arrow');
  const orig = readFileSync(f);
  const bad = Buffer.from(orig);
  bad[bad.length >> 1] ^= 1;
  chmodSync(f, 0o644);
  writeFileSync(f, bad);
  const r = c.imp('run', 'ext');
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, /train\.arrow: sha256 does not match the manifest/);
  assert.doesNotMatch(r.out, /done in|up to date/);
  writeFileSync(f, orig); // the original bytes pass again (a new stat is hashed, not trusted)
  assert.equal(c.imp('run', 'ext').code, 0);
});

test('outside the workspace, a deleted report and parameters are recomputed, never reported done', () => {
  const plan = planOf(c, 'ext');
  const report = plan.steps.find((s) => s.task === 'report')!.outputs.report!;
  const params = plan.steps.find((s) => s.task === 'train-L1')!.outputs.final!;
  for (const d of [report, params]) rmSync(d, { recursive: true, force: true });
  const r = c.imp('run', 'ext');
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(executedTasks(r.out, 'ext').sort(), ['report', 'train-L1']);
  assert.ok(existsSync(join(report, 'index.html')) && existsSync(join(params, 'manifest.json')));
  assert.match(r.out, new RegExp(`Report: ${join(report, 'index.html').replace(/[.]/g, '\\.')}`));
});

test('a failed stage is never success, however often it is rerun', () => {
  const marker = join(outside, 'fail');
  writeFileSync(marker, '');
  c.write('failing', altRewind('failing', 0.45));
  const env = { ALT_REWIND_FAIL_IF: marker };
  for (let i = 0; i < 2; i++) {
    const r = c.impEnv(env, 'run', 'failing');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /failing on purpose/, `run ${i + 1} replayed instead of rerunning`);
    assert.doesNotMatch(r.out, /failing: done|up to date \(artifacts/);
  }
  rmSync(marker);
  const ok = c.impEnv(env, 'run', 'failing');
  assert.equal(ok.code, 0, ok.out);
  rmSync(join(c.root, 'pipelines', 'failing.json'));
});

test('a killed imp run stops its Nx and stage processes', async () => {
  c.write('slow', altRewind('slow', 0.55));
  const child = c.spawnImp({ ALT_REWIND_LOG: log, ALT_REWIND_HOLD_MS: '120000' }, 'run', 'slow');
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const before = logLines('start').length;
  const t0 = Date.now();
  while (logLines('start').length === before) {
    assert.ok(Date.now() - t0 < 120_000, `the slow stage never started:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = Number(logLines('start').at(-1)!.split(' ')[1]);
  child.kill('SIGTERM');
  assert.notEqual(await exited, 0);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const t1 = Date.now();
  while (alive() && Date.now() - t1 < 3000) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!alive(), `stage process ${pid} outlived imp run`);
  rmSync(join(c.root, 'pipelines', 'slow.json'));
});

test('independent stage runs of a comparison run at once when cores are free', () => {
  c.write('p1', altRewind('p1', 0.35));
  c.write('p2', altRewind('p2', 0.65));
  c.write('pp', { name: 'pp', compare: ['p1', 'p2'] });
  rmSync(log, { force: true });
  const r = c.impEnv({ ALT_REWIND_LOG: log, ALT_REWIND_HOLD_MS: '1500', IMP_CORES: '2' }, 'run', 'pp');
  assert.match(strip(r.out), /up to 2 at once/);
  const at = (what: string) => new Map(logLines(what).map((l) => [l.split(' ')[1]!, Number(l.split(' ')[2])]));
  const starts = at('start');
  const ends = at('end');
  const spans = [...starts].map(([pid, s]) => [s, ends.get(pid)!] as const);
  assert.ok(spans.length >= 2, r.out);
  assert.ok(
    spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 >= s1 && s2 < e1)),
    `no two rewind runs overlapped: ${JSON.stringify(spans)}`,
  );
  assert.equal(r.code, 0, r.out);
  // --parallel 1 overrides the default: with a fresh store nothing would overlap, and the
  // message says so.
  rmSync(join(planOf(c, 'p1').steps.find((s) => s.task === 'report')!.outputs.report!), { recursive: true });
  assert.match(strip(c.imp('run', 'pp', '--parallel', '1').out), /up to 1 at once/);
});

test.after(() => {
  for (const w of [a, b, c]) rmSync(w.root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
