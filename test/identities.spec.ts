// Pinned identities (issue 15 §8), as open_lth pins its run hashes: the artifact id of
// every task of every preset in pipelines/ is recorded in test/fixtures/identities.json.
//
// - An accidental identity change (a schema default, a renamed key, a hashing change)
//   fails here, naming the preset, task and stage.
// - An intended one is recorded with `npm run pin-identities`, which refuses to pin a
//   stage whose own identity changed (its upstream ids did not) while its algoVersion
//   stayed the same: results computed by the old code would otherwise be reused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePins, computePins, readPins } from './identities.ts';

test('every preset plans to its pinned artifact ids', async () => {
  const pinned = readPins();
  const current = await computePins();
  const problems = comparePins(pinned, current);
  assert.deepEqual(
    problems,
    [],
    `artifact identities changed:\n  ${problems.join('\n  ')}\n` +
      'If intended, bump the stage algoVersion where its own identity changed and run `npm run pin-identities`.',
  );
});

test('the comparison flags an own-identity change without an algoVersion bump', () => {
  const task = { stage: 'mask', algoVersion: '1', id: 'aaa', upstream: ['u1'], configSha: 'c1' };
  const pinned = { exp: { 'mask-L1': task } };
  const bumpedNot = { exp: { 'mask-L1': { ...task, id: 'bbb' } } };
  const bumped = { exp: { 'mask-L1': { ...task, id: 'bbb', algoVersion: '2' } } };
  const upstreamMoved = { exp: { 'mask-L1': { ...task, id: 'bbb', upstream: ['u2'] } } };
  assert.match(comparePins(pinned, bumpedNot).join(), /without an algoVersion bump/);
  assert.match(comparePins(pinned, bumped).join(), /exp mask-L1: id aaa → bbb/);
  assert.doesNotMatch(comparePins(pinned, bumped).join(), /without an algoVersion bump/);
  assert.doesNotMatch(comparePins(pinned, upstreamMoved).join(), /without an algoVersion bump/);
  // An edited preset or claim (its config as written changed) is a new identity by intent.
  const edited = { exp: { 'mask-L1': { ...task, id: 'bbb', configSha: 'c2' } } };
  assert.match(comparePins(pinned, edited).join(), /exp mask-L1: id aaa → bbb/);
  assert.doesNotMatch(comparePins(pinned, edited).join(), /without an algoVersion bump/);
  assert.deepEqual(comparePins(pinned, pinned), []);
});
