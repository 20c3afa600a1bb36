/**
 * Locality of the surviving connectivity (spec §4(a), (c)): exact S^sc/S^dc maps per
 * hidden layer, the exact uniform null and the sampled strict null, the locality ratio,
 * radial profiles and r_half; maps and the locality/r_half curves vs u.
 */
import { Rng } from '@imp/artifacts';
import { lineChart, type LinePoint } from '../charts/lines.ts';
import { metricVsU, type MetricPoint } from '../charts/metric-vs-u.ts';
import { inDegrees } from '../connectivity.ts';
import type { LevelContext } from '../context.ts';
import { smapFigure } from '../figures.ts';
import { num, pct, type LevelRow, type Measure } from '../measure.ts';
import { mean } from '../measures.ts';
import { sampleDegreePreserving } from '../nulls.ts';
import {
  computeSMaps,
  expectedUniform,
  localFraction,
  normalizeMax,
  radialProfile,
  radiusAtHalfMax,
  type DMap,
  type SMaps,
} from '../smap.ts';

/** Layer-1 maps, shared with other measures through the level memo. */
export interface Layer1Maps {
  s: SMaps;
  uniform: SMaps;
  strict: DMap | null;
}

const mapColumns = [
  { name: 'level', type: 'int', description: 'IMP level' },
  { name: 'layer', type: 'int', description: 'hidden layer (effective connectivity for ℓ > 1)' },
  {
    name: 'map',
    type: 'str',
    description: 'sc, dc, sc_uniform, dc_uniform, sc_strict, or sc_resolved_<bin> (connection-resolved)',
  },
] as const;

export const locality: Measure = {
  name: 'locality',
  description: 'S^sc/S^dc maps, uniform and strict nulls, locality ratio, radial profile, r_half (spec §4(a), (c))',
  scalars: [
    {
      name: 'locality_ratio',
      type: 'float',
      description: 'local fraction of S^sc (0 < |d|∞ ≤ r) over the uniform null’s',
    },
    {
      name: 'locality_ratio_strict',
      type: 'float',
      description: 'the same over the strict null (in-degrees and per-pixel counts kept)',
    },
    { name: 'r_half', type: 'float', description: 'radius (px) where the radial profile of S^sc/max falls to ½' },
    { name: 'r_half_uniform', type: 'float', description: 'r_half of the uniform null' },
  ],
  tables: [
    {
      name: 'layers',
      title: 'Locality per level and hidden layer (effective connectivity)',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'layer', type: 'int', description: 'hidden layer' },
        { name: 'nodes_connected', type: 'int', description: 'nodes with at least two connected valid inputs' },
        { name: 'cin_mean', type: 'float', description: 'mean in-degree over valid inputs' },
        { name: 'local_fraction', type: 'float', description: 'fraction of S^sc mass at 0 < |d|∞ ≤ r' },
        { name: 'local_fraction_uniform', type: 'float', description: 'the same for the uniform null' },
        { name: 'locality_ratio', type: 'float', description: 'local_fraction / local_fraction_uniform' },
        { name: 'locality_ratio_strict', type: 'float', description: 'over the strict null (layer 1 only)' },
        { name: 'r_half', type: 'float', description: 'half-maximum radius of S^sc (px)' },
        { name: 'r_half_uniform', type: 'float', description: 'half-maximum radius of the uniform null (px)' },
      ],
    },
    {
      name: 'smaps',
      title: 'Displacement maps (values row-major over dy, dx; d=0 at the centre)',
      columns: [
        ...mapColumns,
        { name: 'height', type: 'int', description: '2H − 1' },
        { name: 'width', type: 'int', description: '2W − 1' },
        { name: 'values', type: 'floatList', description: 'pair counts, row-major over (dy, dx), d = 0 at the centre' },
      ],
    },
    {
      name: 'radial',
      title: 'Radial profiles of the normalised maps',
      columns: [
        ...mapColumns,
        { name: 'r', type: 'int', description: 'radius round(|d|₂) in pixels' },
        { name: 'value', type: 'float', description: 'ring mean of map / max' },
      ],
    },
  ],
  figures: [
    { id: 'smaps', levels: 'detail', description: 'S^sc, S^dc, uniform-null and strict-null maps' },
    { id: 'smaps_layers', levels: 'detail', description: 'S^sc/S^dc of each hidden layer (when more than one)' },
    { id: 'locality_vs_u', levels: 'once', description: 'locality ratio vs u, uniform and strict null' },
    { id: 'rhalf_vs_u', levels: 'once', description: 'r_half of S^sc and of the uniform null vs u' },
    { id: 'radial_profiles', levels: 'once', description: 'radial profiles of the detail levels and the uniform null' },
    { id: 'smaps_all_levels', levels: 'once', description: 'S^sc at every level, one panel per level' },
  ],
  start(x) {
    const { cfg, g, valid, validCount, cap } = x;
    const radialByLevel = new Map<number, Float64Array>();
    let uniformRadial: Float64Array | null = null;
    const scByLevel: { level: number; u: number; map: DMap }[] = [];

    const mapRow = (level: number, layer: number, map: string, m: DMap) => ({
      level,
      layer,
      map,
      height: m.h,
      width: m.w,
      values: m.data,
    });
    const radialRows = (level: number, layer: number, map: string, prof: Float64Array) =>
      Array.from(prof, (value, r) => ({ level, layer, map, r, value }));

    return {
      level(lv: LevelContext, out) {
        const k = lv.level;
        let ratio1 = NaN,
          rhalf1 = NaN,
          rhalfU1 = NaN;
        const layerMaps: { sc: DMap; dc: DMap; layer: number }[] = [];
        const layerRows: Record<string, number | null>[] = [];
        out.time('smaps', () => {
          for (let l = 1; l <= lv.nLayers; l++) {
            const c = lv.conns[l - 1]!;
            const s = computeSMaps(c, g, { valid })[0]!;
            const dv = l === 1 ? lv.deg1v : inDegrees(c, valid);
            const e = expectedUniform(cap, dv, validCount);
            const frac = localFraction(s.sc, cfg.r);
            const fracU = localFraction(e.sc, cfg.r);
            const prof = radialProfile(normalizeMax(s.sc));
            const profU = radialProfile(normalizeMax(e.sc));
            const rh = radiusAtHalfMax(prof);
            const rhU = radiusAtHalfMax(profU);
            layerRows.push({
              level: k,
              layer: l,
              nodes_connected: s.nodes,
              cin_mean: mean(dv),
              local_fraction: frac,
              local_fraction_uniform: fracU,
              locality_ratio: frac / fracU,
              locality_ratio_strict: null,
              r_half: rh,
              r_half_uniform: rhU,
            });
            out.rows(
              'smaps',
              mapRow(k, l, 'sc', s.sc),
              mapRow(k, l, 'dc', s.dc),
              mapRow(k, l, 'sc_uniform', e.sc),
              mapRow(k, l, 'dc_uniform', e.dc),
            );
            out.rows(
              'radial',
              ...radialRows(k, l, 'sc', prof),
              ...radialRows(k, l, 'dc', radialProfile(normalizeMax(s.dc))),
              ...radialRows(k, l, 'sc_uniform', profU),
            );
            layerMaps.push({ sc: s.sc, dc: s.dc, layer: l });
            if (l === 1) {
              lv.memo<Layer1Maps>('layer1Maps', () => ({ s, uniform: e, strict: null }));
              ratio1 = frac / fracU;
              rhalf1 = rh;
              rhalfU1 = rhU;
              radialByLevel.set(k, prof);
              uniformRadial ??= profU;
              scByLevel.push({ level: k, u: lv.u, map: s.sc });
            }
          }
        });

        // Strict null: same in-degrees, inputs drawn ∝ their total connection count.
        const maps1 = lv.memo<Layer1Maps>('layer1Maps', () => {
          throw new Error('layer-1 maps missing');
        });
        let ratioStrict = NaN;
        out.time('strict_null', () => {
          if (cfg.nullSamples <= 0) return;
          const s1 = maps1.s;
          const wts = Float64Array.from(lv.pc, (v, p) => (valid && !valid[p] ? 0 : v));
          const rng = new Rng(cfg.seed, 10_000 + k);
          const acc = new Float64Array(s1.sc.data.length);
          for (let s = 0; s < cfg.nullSamples; s++) {
            const sm = computeSMaps(sampleDegreePreserving(rng, lv.deg1v, wts), g, { valid })[0]!;
            for (let t = 0; t < acc.length; t++) acc[t]! += sm.sc.data[t]! / cfg.nullSamples;
          }
          const strict = { h: s1.sc.h, w: s1.sc.w, data: acc };
          maps1.strict = strict;
          ratioStrict = localFraction(s1.sc, cfg.r) / localFraction(strict, cfg.r);
          out.rows('smaps', mapRow(k, 1, 'sc_strict', strict));
          out.rows('radial', ...radialRows(k, 1, 'sc_strict', radialProfile(normalizeMax(strict))));
        });
        layerRows[0]!.locality_ratio_strict = ratioStrict;
        out.rows('layers', ...layerRows);
        out.scalar('locality_ratio', num(ratio1));
        out.scalar('locality_ratio_strict', num(ratioStrict));
        out.scalar('r_half', num(rhalf1));
        out.scalar('r_half_uniform', num(rhalfU1));
        x.log(
          `level ${k}: locality ratio ${ratio1.toFixed(3)} (strict ${ratioStrict.toFixed(3)}), r_half ${rhalf1.toFixed(2)}`,
        );

        if (!lv.isDetail) return;
        const items = [
          { map: maps1.s.sc, label: 'S^sc(d)' },
          ...(g.channels > 1 ? [{ map: maps1.s.dc, label: 'S^dc(d)' }] : []),
          { map: maps1.uniform.sc, label: 'uniform null E[S^sc]' },
          ...(maps1.strict ? [{ map: maps1.strict, label: 'strict null S^sc' }] : []),
        ];
        out.figure({
          id: 'smaps',
          file: `figures/smaps_L${k}`,
          title: `Locality maps, level ${k}`,
          caption: `First-layer S^sc(d) (same-channel pairs) and S^dc(d) (different channels), d=0 at the centre, each scaled 0..max, next to the exact expectation for a uniformly random mask with the same in-degrees and the strict null (same in-degrees, inputs drawn ∝ connection count). Locality ratio (r=${cfg.r}) = ${ratio1.toFixed(2)} (uniform), ${Number.isFinite(ratioStrict) ? ratioStrict.toFixed(2) : 'n/a'} (strict). u = ${pct(lv.u)} %.`,
          level: k,
          spec: smapFigure(items, cfg.mapScale, items.length),
        });
        if (layerMaps.length > 1)
          out.figure({
            id: 'smaps_layers',
            file: `figures/smaps_layers_L${k}`,
            title: `Locality maps per layer, level ${k}`,
            caption: `S^sc and S^dc of hidden layers 1..${layerMaps.length} through effective connectivity (nonzero pattern of M1·M2⋯Mℓ, spec §4(a)).`,
            level: k,
            spec: smapFigure(
              layerMaps.flatMap((m) => [
                { map: m.sc, label: `layer ${m.layer} S^sc` },
                ...(g.channels > 1 ? [{ map: m.dc, label: `layer ${m.layer} S^dc` }] : []),
              ]),
              Math.max(1, cfg.mapScale - 1),
              (g.channels > 1 ? 2 : 1) * Math.min(3, layerMaps.length),
            ),
          });
      },

      finish(levels: LevelRow[], out) {
        const series = (key: string, name: string): MetricPoint[] =>
          levels.map((l) => ({
            experiment: 'IMP',
            series: name,
            level: l.level,
            u: 100 * l.u!,
            value: l[key] ?? null,
            best: l.level === x.bestLevel && !name.includes('null'),
          }));
        out.figure({
          id: 'locality_vs_u',
          file: 'figures/locality_vs_u',
          title: 'Locality ratio vs u',
          caption: `Fraction of same-channel pairs with |d|∞ ≤ ${cfg.r}, divided by the same fraction for the exact uniform-random expectation and for the strict null (same in-degrees, inputs ∝ connection counts). 1 = no locality; square = best level.`,
          spec: metricVsU({
            title: 'Locality of first-layer connectivity vs u',
            yTitle: `locality ratio (r = ${cfg.r})`,
            points: [
              ...series('locality_ratio', 'vs uniform random mask'),
              ...series('locality_ratio_strict', 'vs strict null').map((p) => ({ ...p, best: false })),
            ],
            rules: [{ experiment: 'IMP', label: 'no locality', value: 1 }],
          }),
        });
        out.figure({
          id: 'rhalf_vs_u',
          file: 'figures/rhalf_vs_u',
          title: 'r½ vs u',
          caption:
            'Radius where the radial profile of the first-layer S^sc falls to half its maximum, per level, and the same for the uniform-random expectation.',
          spec: metricVsU({
            title: 'Half-max radius r½ of S^sc vs u',
            yTitle: 'r½ (pixels)',
            points: [...series('r_half', 'S^sc'), ...series('r_half_uniform', 'uniform null')],
          }),
        });
        const radial: LinePoint[] = x.detail
          .filter((k) => radialByLevel.has(k))
          .flatMap((k) => [...radialByLevel.get(k)!].slice(1).map((y, i) => ({ series: `level ${k}`, x: i + 1, y })));
        if (uniformRadial)
          radial.push(
            ...[...(uniformRadial as Float64Array)]
              .slice(1)
              .map((y, i) => ({ series: 'uniform null', x: i + 1, y, dashed: true })),
          );
        out.figure({
          id: 'radial_profiles',
          file: 'figures/radial_profiles',
          title: 'Radial profile of S^sc',
          caption:
            'Ring average of the normalised first-layer S^sc at radius round(|d|) for the detail levels and the uniform-random expectation (dashed); dotted line = ½.',
          spec: lineChart({
            title: 'Radial profile of S^sc',
            x: { title: 'radius |d| (px)' },
            y: { title: 'S^sc / max' },
            points: radial,
            rules: [{ label: 'half maximum', value: 0.5 }],
            markers: false,
          }),
        });
        out.figure({
          id: 'smaps_all_levels',
          file: 'figures/smaps_all_levels',
          title: 'S^sc at every level',
          caption:
            'First-layer S^sc(d) per IMP level (each scaled 0..max): locality emerges as pruning proceeds. The interactive chart has a level selector.',
          spec: smapFigure(
            scByLevel.map((m) => ({ map: m.map, label: `L${m.level} u=${pct(m.u)}%`, level: m.level })),
            2,
            7,
            { levelSelector: true },
          ),
        });
      },
    };
  },
};
