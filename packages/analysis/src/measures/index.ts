/**
 * The registry of analysis measures, in the order they run per level and add their
 * columns to the `levels` table. A new measure is one file in this folder plus one
 * line here (see README "Adding a measure").
 */
import type { Measure } from '../measure.ts';
import { ablation } from './ablation.ts';
import { accuracy } from './accuracy.ts';
import { cin } from './cin.ts';
import { density } from './density.ts';
import { ipr } from './ipr.ts';
import { locality } from './locality.ts';
import { maskGrids } from './mask-grids.ts';
import { maskShape } from './mask-shape.ts';
import { pcAlignment } from './pc-alignment.ts';
import { pixelMap } from './pixel-map.ts';
import { resolved } from './resolved.ts';
import { sdcPeak } from './sdc-peak.ts';

export const MEASURES: readonly Measure[] = [
  density,
  accuracy,
  locality,
  ipr,
  cin,
  pixelMap,
  maskGrids,
  resolved,
  ablation,
  maskShape,
  pcAlignment,
  sdcPeak,
];
