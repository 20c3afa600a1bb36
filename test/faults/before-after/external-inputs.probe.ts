// Issue 16 §6: a mapping file's bytes enter the dataset's id (planned before anything runs), through
// APIs both trees have (the data stage's schema and `planStage`). packages/data/src/stage.spec.ts
// checks photos and mapping files with the options of today's photo source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, planStage } from '@imp/artifacts';
import { dataStage } from '@imp/data/stage';

test('an edited mapping file (same path, same size) gives the dataset a new id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imp-ext-'));
  process.env.IMP_STORE = join(dir, 'store'); // where content hashes are cached
  const map = join(dir, 'labels.dat');
  const cfg = {
    source: { name: 'mnist' },
    transforms: [{ name: 'relabel', by: 'file', file: map }],
  };
  const id = () =>
    planStage(dataStage, parseConfig(dataStage.config, cfg, 'data config'), {}, join(dir, 'store')).dataset!.id;
  writeFileSync(map, '0,1,0,1,0,1,0,1,0,1');
  const first = id();
  assert.equal(id(), first, 'unchanged file: same id');
  writeFileSync(map, '1,0,1,0,1,0,1,0,1,0');
  assert.notEqual(id(), first, 'the edited mapping file kept the old id');
  delete process.env.IMP_STORE;
});
