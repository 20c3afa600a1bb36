// `npm run bench:scale`: what orchestration costs as the workspace grows (issue 17).
// In a throwaway workspace (test/workspace.ts) holding a tiny experiment `base` and
// N − 1 others extending it with another seed, for N = 25, 100, 250 (or the sizes
// given as arguments), times: a no-op `imp run base` (every artifact present),
// `imp status base`, `imp run base --plan`, `nx graph --focus=exp-base` (cold: new
// experiment files to plan; warm: memoised), `imp graph base`, and a run with two
// stage runs to do.
// Only `base` is ever computed, so the store stays small. Prints JSON last.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace } from './workspace.ts';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const N = sizes.length ? sizes : [25, 100, 250];
const base = {
  name: 'base',
  seed: 0,
  data: {
    config: {
      source: { name: 'mnist' },
      transforms: [
        { name: 'subset', split: 'train', n: 500 },
        { name: 'subset', split: 'val', n: 200 },
      ],
    },
  },
  train: { config: { arch: 'f16:x', steps: 20, batchSize: 20, lr: 0.1, evalEvery: 10 } },
  prune: { levels: 3, config: { fraction: 0.3 } },
  rewind: { step: 5 },
};
const ws = makeWorkspace({ base });

const timed = (what: string, f: () => { code: number | null; out: string }) => {
  const t0 = performance.now();
  const r = f();
  const s = (performance.now() - t0) / 1000;
  if (r.code !== 0) {
    process.stderr.write(r.out.slice(-3000));
    throw new Error(`${what} failed`);
  }
  return { s, out: r.out };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Number(x.toFixed(3));
const nx = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ws.root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
    cwd: ws.root,
    encoding: 'utf8',
    env: { ...process.env, IMP_STORE: ws.store, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
};

try {
  const fill = timed('fill', () => ws.imp('run', 'base'));
  console.error(`fill (base, 13 stage runs): ${fill.s.toFixed(1)} s`);
  const results: Record<string, Record<string, number>> = {};
  let written = 1;
  for (const n of N) {
    for (; written < n; written++)
      ws.write(`s-${written}`, { extends: 'base.json', name: `s-${written}`, seed: written });
    const files = readdirSync(join(ws.root, 'pipelines')).length;
    const noop = [0, 1, 2].map(() => timed('noop run', () => ws.imp('run', 'base')));
    if (!/all 13 stage runs up to date/.test(noop[0]!.out)) throw new Error(`not a no-op:\n${noop[0]!.out}`);
    const status = median([0, 1, 2].map(() => timed('status', () => ws.imp('status', 'base')).s));
    const plan = median([0, 1, 2].map(() => timed('plan', () => ws.imp('run', 'base', '--plan')).s));
    const graphFile = join(ws.root, 'graph.json');
    const graphCold = timed('graph', () => nx('graph', '--focus=exp-base', `--file=${graphFile}`)).s;
    const graphWarm = median(
      [0, 1].map(() => timed('graph', () => nx('graph', '--focus=exp-base', `--file=${graphFile}`)).s),
    );
    const impGraph = median(
      [0, 1].map(() => timed('imp graph', () => ws.imp('graph', 'base', `--file=${graphFile}`)).s),
    );
    // Work to do: the report and the analysis, rerun through Nx.
    const st = JSON.parse(ws.imp('run', 'base', '--plan', '--json').out) as {
      steps: { task: string; outputs: Record<string, string> }[];
    };
    for (const s of st.steps.filter((x) => ['analysis', 'report'].includes(x.task)))
      for (const d of Object.values(s.outputs)) rmSync(d, { recursive: true, force: true });
    const work = timed('work run', () => ws.imp('run', 'base'));
    results[String(n)] = {
      files,
      noop_run_s: round(median(noop.map((x) => x.s))),
      status_s: round(status),
      plan_s: round(plan),
      nx_graph_focus_cold_s: round(graphCold),
      nx_graph_focus_warm_s: round(graphWarm),
      imp_graph_s: round(impGraph),
      run_2_tasks_s: round(work.s),
    };
    console.error(`N=${n}: ${JSON.stringify(results[String(n)])}`);
  }
  const last = results[String(N.at(-1))]!;
  console.log(
    JSON.stringify({
      experiment: 'base (13 stage runs); the others extend it with another seed',
      per_n: results,
      noop_run_s_at_250: results['250']?.noop_run_s ?? null,
      noop_run_s_at_largest: last.noop_run_s,
      goal: { noop_run_s: 1, nx_graph_focus_s: 5 },
    }),
  );
} finally {
  rmSync(ws.root, { recursive: true, force: true });
}
