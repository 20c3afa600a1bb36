import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, parseConfig, renamedKeys } from './config.ts';

const schema = z
  .object(
    {
      trainLimit: z.number().optional(),
      source: z.object({ fileName: z.string() }, { error: renamedKeys({ file_name: 'fileName' }) }).strict(),
    },
    { error: renamedKeys({ train_limit: 'trainLimit' }) },
  )
  .strict();

test('renamedKeys: an old key is one ConfigError naming the new key, nested objects too', () => {
  assert.throws(
    () => parseConfig(schema, { train_limit: 5, source: { fileName: 'a' } }, 'data config'),
    (e: unknown) =>
      e instanceof ConfigError && e.message === "data config: 'train_limit' was renamed to 'trainLimit'",
  );
  assert.throws(
    () => parseConfig(schema, { source: { file_name: 'a' } }, 'data config'),
    (e: unknown) => e instanceof ConfigError && /field 'source': 'file_name' was renamed to 'fileName'/.test(e.message),
  );
  // A key that was never a name is still an unknown key, and the new spelling parses.
  assert.throws(() => parseConfig(schema, { bogus: 1, source: { fileName: 'a' } }, 'x'), /unknown key 'bogus'/);
  assert.throws(() => parseConfig(schema, { toString: 1, source: { fileName: 'a' } }, 'x'), /unknown key 'toString'/);
  assert.deepEqual(parseConfig(schema, { trainLimit: 5, source: { fileName: 'a' } }, 'x'), {
    trainLimit: 5,
    source: { fileName: 'a' },
  });
});
