import { Command } from 'commander';
import { reportFailure } from '@imp/artifacts';
import { addArtifactCommands } from './artifact-commands.ts';
import { addPipelineCommands } from './pipeline-commands.ts';
import { addGcCommand } from './gc-command.ts';
import { addSlurmCommands } from './slurm-commands.ts';

const program = new Command('imp')
  .description(
    'IMP locality pipeline (Pellegrini & Biroli, ICML 2022): run experiments, run single stages, audit artifacts.',
  )
  .showHelpAfterError();
addPipelineCommands(program);
addArtifactCommands(program);
addGcCommand(program);
addSlurmCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  reportFailure(e);
}
