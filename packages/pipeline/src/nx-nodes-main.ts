// Child-process entry of nx-plugin.cjs: prints the createNodes results (and the files
// each was computed from) as JSON.
import { createNodesFor } from './nx-nodes.ts';

try {
  const nodes = await createNodesFor(process.argv.slice(2), process.cwd());
  process.stdout.write(JSON.stringify(nodes));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
