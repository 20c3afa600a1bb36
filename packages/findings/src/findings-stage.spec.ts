import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openArtifact, runStage } from '@imp/artifacts';
import { quiet, tempStore } from '@imp/artifacts/testing';
import { aggregateStage } from './aggregate-stage.ts';
import { findingsStage } from './findings-stage.ts';
import { levelsOf, writeSeedAnalysis } from './test-fixtures.ts';

/** Seed offsets: symmetric around 0, so a mean sits on the noiseless value. */
const OFFSETS = [-0.01, 0.01, 0, 0.005, -0.005, 0.002];

/** An experiment over `n` seeds: locality 1 + slope·k + offset, accuracy peaking at level 3. */
async function experiment(store: string, name: string, o: { slope: number; n?: number; shuffle?: boolean }) {
  const inputs: Record<string, string> = {};
  const offs = OFFSETS.slice(0, o.n ?? 4);
  const order = o.shuffle ? [...offs].reverse() : offs;
  for (const [s, off] of order.entries()) {
    const a = await writeSeedAnalysis(store, {
      experiment: name,
      seed: s,
      levels: levelsOf(8, {
        acc: (k) => 0.5 + 0.03 * Math.min(k, 3) - 0.02 * Math.max(0, k - 3) + off,
        loc: (k) => 1 + o.slope * k + off,
      }),
    });
    inputs[`analysis.s${s}`] = a.dir;
  }
  const r = await runStage(aggregateStage, { config: {}, inputs, store, log: quiet });
  return r.outputs.aggregate!.dir;
}

const rule = (reproducedIf: 'above' | 'below' | 'equal', value = 0) => ({ reproducedIf, value });

test('findings: synthetic claims come out reproduced, contradicted, inconclusive and pending', async () => {
  const store = tempStore();
  const inputs = {
    'aggregate.strong': await experiment(store, 'strong', { slope: 0.1 }),
    'aggregate.null': await experiment(store, 'null', { slope: 0 }),
    'aggregate.null-b': await experiment(store, 'null-b', { slope: 0, shuffle: true }),
  };
  const claims = [
    {
      id: 'more-local',
      title: 'strong is more local than null at u ≈ 24 %',
      effect: { kind: 'difference', a: 'strong', b: 'null', metric: 'locality_ratio', u: 0.24 },
      rule: rule('above'),
    },
    {
      id: 'less-local',
      title: 'null is more local than strong (false)',
      effect: { kind: 'difference', a: 'null', b: 'strong', metric: 'locality_ratio', u: 0.24 },
      rule: rule('above'),
    },
    {
      id: 'noise',
      title: 'two nulls differ (seed noise only)',
      effect: { kind: 'difference', a: 'null', b: 'null-b', metric: 'locality_ratio', u: 0.24 },
      rule: rule('above'),
    },
    {
      id: 'calibration',
      title: 'a null has ratio 1 at every u',
      effect: { kind: 'reference', experiment: 'null', metric: 'locality_ratio', u: [0.05, 1] },
      rule: rule('equal', 1),
    },
    {
      id: 'calibration-fails',
      title: 'strong has ratio 1 at every u (false beyond level 0)',
      effect: { kind: 'reference', experiment: 'strong', metric: 'locality_ratio', u: [0.05, 1] },
      rule: rule('equal', 1),
    },
    {
      id: 'gain',
      title: 'pruning helps',
      paper: '+45 % relative at u ≈ 1 % (spec §5.1)',
      paperValue: 0.45,
      effect: { kind: 'scalar', experiment: 'strong', metric: 'gain_over_dense_rel' },
      rule: rule('above'),
    },
    {
      id: 'falls',
      title: 'accuracy falls after the peak',
      effect: { kind: 'scalar', experiment: 'strong', metric: 'fall_after_peak' },
      rule: rule('below'),
    },
    {
      id: 'trend',
      title: 'locality rises as u falls',
      effect: { kind: 'trend', experiment: 'strong', metric: 'locality_ratio', u: [0.05, 1] },
      rule: rule('above'),
    },
    {
      id: 'order',
      title: 'null < strong',
      effect: { kind: 'ordering', experiments: ['null', 'strong'], metric: 'locality_ratio', u: 0.1 },
      rule: rule('above'),
    },
    {
      id: 'gain-diff',
      title: 'strong gains more than null (same accuracies: a zero-width CI on 0)',
      effect: { kind: 'difference', a: 'strong', b: 'null', metric: 'gain_over_dense_rel' },
      rule: rule('above'),
    },
    { id: 'later', title: 'S^dc peaks at d = 0', pending: 'no S^dc scalar in the analysis yet' },
  ];
  const r = await runStage(findingsStage, { config: { claims }, inputs, store, log: quiet });
  const a = await openArtifact(r.outputs.findings!.dir, { kind: 'analysis' });
  const s = a.manifest.summary as {
    findings: {
      id: string;
      verdict: string;
      effect: number;
      ci_lo: number;
      ci_hi: number;
      n: number;
      u: number;
      rule: string;
    }[];
    counts: Record<string, number>;
  };
  const v = Object.fromEntries(s.findings.map((f) => [f.id, f.verdict]));
  assert.deepEqual(v, {
    'more-local': 'reproduced',
    'less-local': 'contradicted',
    noise: 'inconclusive',
    calibration: 'reproduced',
    'calibration-fails': 'contradicted',
    gain: 'reproduced',
    falls: 'reproduced',
    trend: 'reproduced',
    order: 'reproduced',
    'gain-diff': 'inconclusive',
    later: 'pending',
  });
  const f = Object.fromEntries(s.findings.map((x) => [x.id, x]));
  // strong − null at level 4 (u = 0.24): 0.4 exactly in every seed (the offsets are the same per seed).
  assert.ok(Math.abs(f['more-local']!.effect - 0.4) < 1e-12, `effect ${f['more-local']!.effect}`);
  assert.equal(f['more-local']!.n, 4);
  assert.ok(Math.abs(f['more-local']!.u - 0.7 ** 4) < 1e-12, `u ${f['more-local']!.u}`);
  // Trend: +0.1 per level, a level is log10(1/0.7) decades: slope 0.1 / 0.1549 per decade.
  assert.ok(Math.abs(f.trend!.effect - 0.1 / Math.log10(1 / 0.7)) < 1e-9, `slope ${f.trend!.effect}`);
  // The deciding level of a failed calibration is the one furthest from 1.
  assert.ok(Math.abs(f['calibration-fails']!.u - 0.7 ** 7) < 1e-12, `deciding u ${f['calibration-fails']!.u}`);
  assert.match(f.calibration!.rule, /contains 1; contradicted if it excludes 1; else inconclusive — at every level/);
  assert.deepEqual(s.counts, { reproduced: 6, contradicted: 2, inconclusive: 2, pending: 1 });
  for (const t of ['findings', 'finding_points'])
    assert.ok(
      a.manifest.files.some((x) => x.path === `tables/${t}.parquet`),
      t,
    );
});

test('findings: a CI over more seeds is narrower; bad claims are one clear error', async () => {
  const store = tempStore();
  const width = async (n: number) => {
    const inputs = {
      'aggregate.a': await experiment(store, `a${n}`, { slope: 0.1, n }),
      'aggregate.b': await experiment(store, `b${n}`, { slope: 0, n, shuffle: true }),
    };
    const claims = [
      {
        id: 'd',
        title: 'a − b',
        effect: { kind: 'difference', a: 'a', b: 'b', metric: 'locality_ratio', u: 0.24 },
        rule: rule('above'),
      },
    ];
    const r = await runStage(findingsStage, { config: { claims }, inputs, store, log: quiet });
    const f = (
      (await openArtifact(r.outputs.findings!.dir)).manifest.summary as { findings: { ci_lo: number; ci_hi: number }[] }
    ).findings[0]!;
    return f.ci_hi - f.ci_lo;
  };
  const [w3, w6] = [await width(3), await width(6)];
  assert.ok(w6 < w3, `CI width ${w6} at 6 seeds < ${w3} at 3`);

  const inputs = { 'aggregate.a': await experiment(store, 'x', { slope: 0.1 }) };
  const claim = (effect: unknown) => [{ id: 'c', title: 't', effect, rule: rule('above') }];
  await assert.rejects(
    runStage(findingsStage, {
      config: { claims: claim({ kind: 'reference', experiment: 'a', metric: 'nope', u: 0.5 }) },
      inputs,
      store,
      log: quiet,
    }),
    /claim c: experiment a has no per-level metric 'nope' \(it has: .*locality_ratio/,
  );
  await assert.rejects(
    runStage(findingsStage, {
      config: { claims: claim({ kind: 'reference', experiment: 'zzz', metric: 'u', u: 0.5 }) },
      inputs,
      store,
      log: quiet,
    }),
    /no aggregate input: aggregate\.zzz/,
  );
  await assert.rejects(
    runStage(findingsStage, { config: { claims: [{ id: 'c', title: 't' }] }, inputs, store, log: quiet }),
    /either effect and rule, or pending/,
  );
});
