// npm run bench:faults: runs every injection, prints one JSON summary as the last line.
import { injections } from './injections.ts';

const counts = { injected: 0, detected: 0, survived: 0, lost: 0 };
const byKind: Record<string, { injected: number; detected: number; survived: number; lost: number }> = {};
for (const inj of injections()) {
  const o = await inj
    .run()
    .catch((e) => (console.error(`${inj.kind} ${inj.name}: ${(e as Error).message}`), 'lost' as const));
  const k = (byKind[inj.kind] ??= { injected: 0, detected: 0, survived: 0, lost: 0 });
  counts.injected++;
  k.injected++;
  counts[o]++;
  k[o]++;
  if (o === 'lost') console.error(`LOST  ${inj.kind}: ${inj.name}`);
}
console.log(JSON.stringify({ ...counts, by_kind: byKind }));
