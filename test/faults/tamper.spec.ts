// Issue 16 §8 at the store level: every tampering fault on every artifact kind is refused
// by openArtifact with an error naming the artifact, never read as good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, openArtifact, writeArtifact, type Artifact } from '@imp/artifacts';
import { writeFakeDataset, writeFakeMask, writeFakeParams } from '@imp/artifacts/testing';
import { TAMPERS } from './tampers.ts';

async function textArtifact(store: string, kind: 'metrics' | 'analysis' | 'report', tag: string, up: Artifact) {
  const { artifact } = await writeArtifact(
    { kind, role: kind, stage: `fault-${kind}`, algoVersion: '1', config: { tag }, upstream: { input: up } },
    async (d) => writeFileSync(join(d, `${kind}.txt`), `${kind} ${tag}\n`.repeat(50)),
    store,
  );
  return artifact;
}

/** One artifact of each kind, plus a second one of the same kind (for the swap). */
async function makeKind(store: string, kind: string, tag: number): Promise<Artifact> {
  const opts = { arch: 'f4:x', inputDim: 36, numClasses: 3, seed: tag };
  if (kind === 'dataset') return writeFakeDataset(store, { seed: tag, n: 60, nVal: 20 });
  if (kind === 'parameters') return writeFakeParams(store, opts);
  if (kind === 'mask')
    return writeFakeMask(store, { ...opts, layers: [1], keep: (i) => i % (tag + 1) === 0, tag: String(tag) });
  const ds = await writeFakeDataset(store, { seed: 1, n: 60, nVal: 20 });
  return textArtifact(store, kind as 'metrics', String(tag), ds);
}

for (const kind of ['dataset', 'parameters', 'mask', 'metrics', 'analysis', 'report']) {
  test(`tampering with a ${kind} artifact is refused by name`, async () => {
    for (const t of TAMPERS) {
      const store = mkdtempSync(join(tmpdir(), 'imp-fault-tamper-'));
      try {
        const a = await makeKind(store, kind, 1);
        const b = await makeKind(store, kind, 2);
        await openArtifact(a.dir);
        t.apply(a.dir, b.dir);
        const err = await openArtifact(a.dir).then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ArtifactError, `${kind}/${t.name}: read as good (${String(err)})`);
        assert.ok(
          err.message.includes(a.dir.split('/').pop()!),
          `${kind}/${t.name}: ${err.message} names the artifact`,
        );
        assert.doesNotMatch(err.message, /root:|\$6\$/, 'no content from outside leaks');
      } finally {
        rmSync(store, { recursive: true, force: true });
      }
    }
  });
}
