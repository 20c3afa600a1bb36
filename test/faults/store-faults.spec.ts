// The store-level fault injections (store-faults.ts) as tests: each must be detected or
// survived; lost fails with what happened. `npm run bench:faults` counts the same injections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeInjections } from './store-faults.ts';

for (const inj of storeInjections())
  test(`fault ${inj.kind}: ${inj.name}`, async (t) => {
    const r = await inj.run();
    if (r.outcome === 'skipped') return t.skip(r.detail);
    assert.notEqual(r.outcome, 'lost', r.detail);
  });
