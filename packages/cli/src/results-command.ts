import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { storeRoot, workspaceRoot } from '@imp/artifacts';
import {
  FINDINGS_FILE,
  RESULTS_FILE,
  checkResults,
  checkRuns,
  collectRuns,
  estimateWall,
  formatDuration,
  renderResults,
  resultsState,
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
    const r = spawnSync(process.execPath, [join(root, 'packages', 'cli', 'bin', 'imp.js'), 'run', 'findings'], {
      stdio: 'inherit',
    });
    code = r.status ?? 1;
    if (code !== 0)
      console.error(`imp results: imp run findings exited with ${code}; ${RESULTS_FILE} says what is missing`);
  }
  const text = renderResults(await resultsState(root, store));
  if (opts.write || opts.run) {
    writeFileSync(join(root, RESULTS_FILE), text);
    console.log(`wrote ${join(root, RESULTS_FILE)}`);
  } else process.stdout.write(text);
  if (code !== 0) process.exit(code);
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
