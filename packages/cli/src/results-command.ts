import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { storeRoot, workspaceRoot } from '@imp/artifacts';
import {
  FINDINGS_FILE,
  README_FILE,
  RESULTS_FILE,
  checkResults,
  checkRuns,
  collectRuns,
  estimateWall,
  formatDuration,
  renderResults,
  resultsState,
  writeResults,
} from '@imp/pipeline';

interface ResultsFlags {
  write?: boolean;
  check?: boolean;
  run?: boolean;
}

/**
 * `imp results`: RESULTS.md from the findings of pipelines/findings.yaml (packages/pipeline/
 * src/results.ts). `--run` is `npm run findings`: the estimate of the work left, the whole
 * suite through `imp run findings`, then the file.
 */
async function results(opts: ResultsFlags) {
  const root = workspaceRoot();
  const store = storeRoot();
  if (opts.check) {
    const problems = await checkResults(root, store);
    for (const p of problems) console.error(`imp results: ${p}`);
    if (problems.length) process.exit(1);
    return console.log(`${RESULTS_FILE} matches the findings pipelines/${FINDINGS_FILE} plans.`);
  }
  let code = 0;
  if (opts.run) {
    const pipelines = join(root, 'pipelines');
    const set = await collectRuns(join(pipelines, FINDINGS_FILE), pipelines, store);
    const { pending } = await checkRuns(set.units, { store });
    const est = estimateWall(pending, store);
    console.log(
      `findings: ${pending.length} of ${set.units.length} stage runs to do (${est.trainSteps.toLocaleString('en')} training steps); ` +
        `estimated wall time ${formatDuration(est.wallS)} ` +
        `(${Math.round(est.measuredShare * 100)} % of it from timings already in this store, the rest from the defaults in packages/pipeline/src/estimate.ts)`,
    );
    code = await runForwardingSignals(process.execPath, [
      join(root, 'packages', 'cli', 'bin', 'imp.js'),
      'run',
      'findings',
    ]);
    if (code !== 0)
      console.error(`imp results: imp run findings exited with ${code}; ${RESULTS_FILE} says what is missing`);
  }
  const state = await resultsState(root, store);
  if (opts.write || opts.run) {
    writeResults(root, state);
    console.log(`wrote ${join(root, RESULTS_FILE)} and the results section of ${join(root, README_FILE)}`);
  } else process.stdout.write(renderResults(state));
  if (code !== 0) process.exit(code);
}

/**
 * Runs a child with inherited stdio and passes SIGINT/SIGTERM/SIGHUP on to it: `imp run` stops
 * its own stage processes when signalled, but a signal sent to this process alone (kill, a
 * scheduler's cancel) would otherwise leave that run going as an orphan.
 */
function runForwardingSignals(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    for (const sig of signals) process.on(sig, forward);
    child.on('exit', (status, signal) => {
      for (const sig of signals) process.off(sig, forward);
      resolve(status ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
    });
  });
}

export function addResultsCommand(program: Command) {
  program
    .command('results')
    .description(`${RESULTS_FILE} from the findings (pipelines/${FINDINGS_FILE}): print it, --write it, or --check it`)
    .option('--write', `write ${RESULTS_FILE} at the workspace root`)
    .option(
      '--check',
      `fail if ${RESULTS_FILE} records another findings id than the plan's, or differs from the artifact`,
    )
    .option('--run', `npm run findings: estimate the work, run imp run findings, then write ${RESULTS_FILE}`)
    .action(results);
}
