import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '@imp/artifacts';
import { connectivityFromMask, inDegrees } from '../connectivity.ts';
import { computeSMaps, expectedUniform, pairCapacity } from '../smap.ts';
import { fakeContexts, recordingOutput } from './fake-context.ts';
import { peakRatio, sdcPeak } from './sdc-peak.ts';

const g = { channels: 3, height: 8, width: 8 };
const HW = 64,
  D = 3 * HW;

function ratios(mask: Uint8Array, nodes: number) {
  const conn = connectivityFromMask(mask, D, nodes);
  const s = computeSMaps(conn, g)[0]!;
  const uniform = expectedUniform(pairCapacity(g, undefined), inDegrees(conn), D);
  const { x, lv } = fakeContexts({ height: 8, width: 8, nodes: [[0]] });
  (x as { g: typeof g }).g = g;
  lv.memo('layer1Maps', () => ({ s, uniform, strict: null }));
  const { out, rec } = recordingOutput();
  sdcPeak.start(x).level!(lv, out);
  return rec.scalars;
}

test('S^dc peak ratio: a node on a 2×2 patch in all three channels gives exactly 2; random masks sit at the uniform null', () => {
  // Per node: S^dc(0) = 4 pixels × 6 ordered channel pairs = 24; S^dc(0, 1) = 2 pixel pairs × 6 = 12, the top off 0.
  const nodes = 5;
  const patch = new Uint8Array(D * nodes);
  for (let j = 0; j < nodes; j++)
    for (let c = 0; c < 3; c++)
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ])
        patch[(c * HW + (1 + j + dy) * 8 + 2 + dx) * nodes + j] = 1;
  const r = ratios(patch, nodes);
  assert.equal(r.sdc_peak_ratio, 2);
  assert.ok(Math.abs(r.sdc_peak_ratio_uniform! - 8 / 7) < 1e-9, `uniform ${r.sdc_peak_ratio_uniform}`);
  const rng = new Rng(3, 0);
  const rand = Uint8Array.from({ length: D * 400 }, () => (rng.next() < 0.2 ? 1 : 0));
  const rr = ratios(rand, 400);
  assert.ok(Math.abs(rr.sdc_peak_ratio! - rr.sdc_peak_ratio_uniform!) < 0.08, JSON.stringify(rr));
  assert.ok(Number.isNaN(peakRatio({ h: 3, w: 3, data: new Float64Array(9) })));
});

test('S^dc peak ratio is null on one-channel data', () => {
  const { x, lv } = fakeContexts({ height: 8, width: 8, nodes: [[0, 1, 2]] });
  const { out, rec } = recordingOutput();
  sdcPeak.start(x).level!(lv, out);
  assert.deepEqual(rec.scalars, { sdc_peak_ratio: null, sdc_peak_ratio_uniform: null });
});
