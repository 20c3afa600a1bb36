// The Slurm executor against a real one-node Slurm cluster (scripts/slurm-cluster.sh):
// two seeds of a tiny MNIST experiment submitted as dependent jobs, compared byte for
// byte with a local run; DAG order from the jobs' exit records; a second submit submits
// nothing; a failing stage cancels its dependents. Needs root and Debian's slurm-wlm and
// munge (scripts/setup.sh --with-slurm); otherwise it skips, saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './workspace.ts';

const IMP = join(REPO, 'packages/cli/bin/imp.js');
const CLUSTER = join(REPO, 'scripts/slurm-cluster.sh');

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (the test starts munged, slurmctld and slurmd itself)';
  for (const b of ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged', '/usr/bin/sbatch'])
    if (!existsSync(b)) return `${b} missing (apt-get install slurm-wlm munge, or scripts/setup.sh --with-slurm)`;
  return undefined;
}
const skip = why();
if (skip) console.log(`# slurm.spec: skipped: ${skip}`);

test('stage DAGs on a real Slurm cluster', { skip, timeout: 600_000 }, async (t) => {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'imp-slurm-'));
  const state = join(dir, 'cluster');
  const env = { ...process.env, IMP_SLURM_STATE: state };
  const up = spawnSync('bash', [CLUSTER, 'start'], { env, encoding: 'utf8' });
  assert.equal(up.status, 0, up.stderr);
  t.after(() => {
    const down = spawnSync('bash', [CLUSTER, 'stop'], { env, encoding: 'utf8' });
    console.log(`# ${down.stdout.trim().replace(/\n/g, '; ')}`);
  });

  // Two seeds of one base; the data seed is pinned, so both share the data stage.
  writeFileSync(
    join(dir, 'base.json'),
    JSON.stringify({
      name: 'slurm-base',
      data: {
        config: {
          seed: 0,
          source: { name: 'mnist' },
          transforms: [
            { name: 'subset', split: 'train', n: 600 },
            { name: 'subset', split: 'val', n: 200 },
          ],
        },
      },
      train: { config: { arch: 'f16:x', steps: 30, batchSize: 40, lr: 0.1, evalEvery: 15 } },
      prune: { levels: 1, config: { fraction: 0.3 } },
      rewind: { step: 5 },
    }),
  );
  const expFile = (name: string, extra: object) => {
    const f = join(dir, `${name}.json`);
    writeFileSync(f, JSON.stringify({ extends: 'base.json', name, ...extra }));
    return f;
  };
  const a = expFile('slurm-s1', { seed: 1 });
  const b = expFile('slurm-s2', { seed: 2 });
  const store = join(dir, 'store');
  const imp = (storeDir: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [IMP, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...env, IMP_STORE: storeDir },
      maxBuffer: 64 << 20,
    });
    return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
  };
  // Slurm checks --mem against the node; a small request lets jobs share the machine.
  const res = ['--sbatch-arg=--mem=1G', '--sbatch-arg=--cpus-per-task=1'];

  const sub = imp(store, 'slurm', 'submit', a, b, ...res, '--watch', '--interval', '1');
  assert.equal(sub.code, 0, sub.out);
  assert.match(sub.out, /slurm-s2--data: shares job \d+/);
  assert.match(sub.out, /13 job\(s\) submitted/);
  assert.match(sub.out, /14 done, 0 running, 0 queued, 0 failed/);
  const tSlurm = performance.now();

  // DAG order, from the exit records the jobs wrote.
  for (const f of [a, b]) {
    const plan = JSON.parse(imp(store, 'run', f, '--plan', '--json').out) as {
      experiment: string;
      steps: { task: string; dependsOn: string[] }[];
    };
    const jobs = JSON.parse(readFileSync(join(store, '.slurm', plan.experiment, 'jobs.json'), 'utf8')) as {
      tasks: Record<string, { exitFile: string }>;
    };
    const exit = (task: string) =>
      JSON.parse(readFileSync(jobs.tasks[task]!.exitFile, 'utf8')) as {
        exitCode: number;
        startedAt: number;
        endedAt: number;
      };
    for (const s of plan.steps) {
      assert.equal(exit(s.task).exitCode, 0, s.task);
      for (const d of s.dependsOn)
        assert.ok(exit(d).endedAt <= exit(s.task).startedAt, `${plan.experiment}: ${s.task} started before ${d} ended`);
    }
  }

  // A second submit finds every artifact and submits nothing.
  const again = imp(store, 'slurm', 'submit', a, b, ...res);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /^0 job\(s\) submitted/m);

  // The same tasks run locally, in plan order, into another store: byte-identical artifacts.
  const local = join(dir, 'local');
  for (const f of [a, b]) {
    const plan = JSON.parse(imp(local, 'run', f, '--plan', '--json').out) as { steps: { task: string }[] };
    for (const s of plan.steps) {
      const r = imp(local, 'task', f, s.task);
      assert.equal(r.code, 0, r.out);
    }
  }
  const artifacts = (s: string) => readdirSync(s).filter((d) => !d.startsWith('.'));
  assert.deepEqual(artifacts(store).sort(), artifacts(local).sort());
  assert.equal(artifacts(store).filter((d) => d.startsWith('dataset-')).length, 1, 'the two seeds share one dataset');
  for (const d of artifacts(store)) {
    const m = JSON.parse(readFileSync(join(store, d, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    for (const f of m.files)
      assert.ok(
        readFileSync(join(store, d, f.path)).equals(readFileSync(join(local, d, f.path))),
        `${d}/${f.path} differs between the Slurm and the local run`,
      );
  }

  // A failing stage: rewind as an external command that describes itself like the package
  // stage (same ids) but exits 1 when run. Its dependents are cancelled, and status names it.
  const failing = join(dir, 'fail-rewind.sh');
  writeFileSync(
    failing,
    `#!/bin/sh\ncase "$*" in *--describe*) exec '${process.execPath}' '${IMP}' stage rewind "$@";; esac\necho 'rewind: made to fail' >&2\nexit 1\n`,
  );
  chmodSync(failing, 0o755);
  const c = expFile('slurm-fail', { seed: 3, rewind: { step: 5, stage: { command: [failing] } } });
  const bad = imp(store, 'slurm', 'submit', c, ...res, '--watch', '--interval', '1');
  assert.notEqual(bad.code, 0, bad.out);
  const st = imp(store, 'slurm', 'status', c, '--json');
  assert.equal(st.code, 1, st.out);
  const tasks = (JSON.parse(st.out) as { tasks: { task: string; state: string; why: string; log?: string }[] }).tasks;
  const by = Object.fromEntries(tasks.map((x) => [x.task, x]));
  assert.equal(by['data']!.state, 'done');
  assert.equal(by['train-L0']!.state, 'done');
  assert.equal(by['mask-L1']!.state, 'done');
  assert.equal(by['rewind-L1']!.state, 'failed', JSON.stringify(by['rewind-L1']));
  const log = join(store, '.slurm', 'slurm-fail', 'rewind-L1.out');
  assert.ok(by['rewind-L1']!.why.includes(log), by['rewind-L1']!.why);
  assert.match(readFileSync(log, 'utf8'), /made to fail/);
  for (const x of ['train-L1', 'analysis', 'report']) assert.equal(by[x]!.state, 'cancelled', JSON.stringify(by[x]));
  const q = spawnSync('squeue', ['--me', '--noheader', '--states=PENDING,RUNNING'], { encoding: 'utf8' });
  assert.equal(q.stdout.trim(), '', `jobs left pending: ${q.stdout}`);

  console.log(
    `# slurm.spec: ${((performance.now() - t0) / 1000).toFixed(1)} s in all (two seeds on Slurm: ${((tSlurm - t0) / 1000).toFixed(1)} s)`,
  );
});
