import { Command } from 'commander';
import { exitQuietlyOnEpipe, reportFailure, takeDebugFlag } from '@imp/artifacts';
import { addArtifactCommands } from './artifact-commands.ts';
import { addPipelineCommands } from './pipeline-commands.ts';
import { addGcCommand } from './gc-command.ts';
import { addSlurmCommands } from './slurm-commands.ts';
import { addResultsCommand } from './results-command.ts';

const program = new Command('imp')
  .description(
    'IMP locality pipeline (Pellegrini & Biroli, ICML 2022): run experiments, run single stages, audit artifacts.',
  )
  .showHelpAfterError()
  .addHelpText('after', '\nAdd --debug (or set IMP_DEBUG=1) to any command to see stack traces of failures.');
exitQuietlyOnEpipe();
// Failures the commands do not catch (async callbacks, stream errors) still get one line.
process.on('uncaughtException', (e) => reportFailure(e));
process.on('unhandledRejection', (e) => reportFailure(e));
addPipelineCommands(program);
addArtifactCommands(program);
addGcCommand(program);
addSlurmCommands(program);
addResultsCommand(program);

// No top-level await: the ahead-of-time build is a CommonJS bundle (scripts/build.mjs).
program.parseAsync(takeDebugFlag(process.argv)).catch(reportFailure);
