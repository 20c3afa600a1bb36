import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injections } from './injections.ts';

for (const inj of injections())
  test(`fault ${inj.kind}: ${inj.name} is detected`, async () => {
    assert.equal(await inj.run(), 'detected');
  });
