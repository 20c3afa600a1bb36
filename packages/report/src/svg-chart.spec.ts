import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChartSvg, linearTicks, logTicks } from './svg-chart.ts';

test('linear ticks are round numbers covering the range', () => {
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(0.087, 0.127, 4), [0.09, 0.1, 0.11, 0.12]);
});

test('log ticks use 1-2-5 on short ranges, decades on long ones', () => {
  assert.deepEqual(logTicks(0.9, 110), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(0.05, 100), [0.1, 1, 10, 100]);
});

test('chart: reversed log x puts the largest u on the left; missing values break the line', () => {
  const svg = lineChartSvg(
    [
      {
        label: 'a<b',
        points: [
          { x: 100, y: 0.1 },
          { x: 10, y: null },
          { x: 1, y: 0.2 },
        ],
        highlight: 2,
      },
    ],
    { title: 'T & t', xLabel: 'u', yLabel: 'acc', xLog: true, xReversed: true },
  );
  assert.match(svg, /^<svg xmlns/);
  assert.ok(svg.includes('T &amp; t'), 'title escaped');
  const path = svg.match(/<path d="([^"]+)"/)![1]!;
  const moves = path.match(/M([\d.]+),/g)!;
  assert.equal(moves.length, 2, 'a gap starts a new sub-path');
  const xs = [...path.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
  assert.ok(xs[0]! < xs[1]!, 'u=100 % is left of u=1 %');
  assert.equal((svg.match(/r="7"/g) ?? []).length, 1, 'best point ringed');
});

test('chart without data still renders a valid frame', () => {
  const svg = lineChartSvg([{ label: 'x', points: [] }], { title: 'empty', xLabel: 'u', yLabel: 'y' });
  assert.match(svg, /no data/);
  assert.match(svg, /<\/svg>\n$/);
});

test('a single point gets padded axes (no NaN)', () => {
  const svg = lineChartSvg([{ label: 'x', points: [{ x: 100, y: 0.5 }] }], {
    title: 'one',
    xLabel: 'u',
    yLabel: 'y',
    xLog: true,
    yLog: true,
  });
  assert.ok(!svg.includes('NaN'));
});
