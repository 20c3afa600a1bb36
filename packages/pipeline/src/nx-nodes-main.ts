// Child-process entry of nx-plugin.cjs: prints the createNodes results (and the files
// each was computed from) as JSON.
import { createNodesFor } from './nx-nodes.ts';

// No top-level await: the ahead-of-time build is a CommonJS bundle (scripts/build.mjs).
createNodesFor(process.argv.slice(2), process.cwd()).then(
  (nodes) => process.stdout.write(JSON.stringify(nodes)),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  },
);
