// `npm run bench:cache`: a fully cached rerun of the quick experiment, timed.
// Runs `imp run quick` once to fill the store (a no-op when already done), then times
// repeated reruns, which the store answers without starting Nx.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const exp = process.argv[2] ?? 'quick';
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const imp = (...a: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'packages/cli/bin/imp.js'), ...a], {
    cwd: repo,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    process.exit(1);
  }
  return { s: (performance.now() - t0) / 1000, out: r.stdout + r.stderr };
};

const first = imp('run', exp);
console.log(`fill: ${first.s.toFixed(1)} s`);
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const r = imp('run', exp);
  const m = r.out.match(/all (\d+) stage runs up to date/);
  if (!m) throw new Error(`rerun ${i} was not a no-op:\n${r.out.slice(-1500)}`);
  times.push(r.s);
  console.log(`cached rerun ${i + 1}: ${r.s.toFixed(2)} s (${m[1]} stage runs, all present and verified)`);
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    experiment: exp,
    cached_rerun_s: Number(times[1]!.toFixed(3)),
    runs_s: times.map((t) => Number(t.toFixed(3))),
    goal_s: 1,
  }),
);
