import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyConfidence, verdictOf } from './effects.ts';
import { describe } from './stats.ts';

test('effects: a u range reads its L levels at Bonferroni confidence 1 − α/L', () => {
  assert.equal(familyConfidence(0.95, 1), 0.95);
  assert.ok(Math.abs(familyConfidence(0.95, 15) - (1 - 0.05 / 15)) < 1e-15);
  // Three seeds of one level of a random mask: alone, its 95 % interval excludes 1 (a level like
  // this turns up about half the time among 15 when the claim holds exactly) ...
  const seeds = [1.02, 1.03, 1.025];
  const equalOne = { reproducedIf: 'equal' as const, value: 1 };
  const single = describe(seeds, 0.95);
  assert.ok(single.lo! > 1, `95 % interval [${single.lo}, ${single.hi}] should exclude 1`);
  assert.equal(verdictOf(single, equalOne), 'contradicted');
  // ... but read as one of 15 levels it is not evidence against the claim.
  const family = describe(seeds, familyConfidence(0.95, 15));
  assert.ok(family.lo! < 1 && family.hi! > 1, `family interval [${family.lo}, ${family.hi}] should contain 1`);
  assert.equal(verdictOf(family, equalOne), 'reproduced');
});
