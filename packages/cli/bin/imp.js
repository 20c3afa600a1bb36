#!/usr/bin/env node
// The `imp` command. It runs the ahead-of-time build in dist/ (scripts/build.mjs: one
// CommonJS bundle, compiled from V8's code cache by scripts/launch.mjs), so a stage process
// starts without compiling TypeScript. The build is checked against the sources' sizes and
// mtimes at every start and rebuilt when they changed: a stale build never runs. IMP_TSX=1
// runs the TypeScript sources through tsx instead (no build).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { launch } = await import(pathToFileURL(join(root, 'scripts', 'launch.mjs')).href);
await launch('imp');
