/**
 * The analysis of one IMP experiment (spec §4): per level, layer-1 and effective
 * deeper-layer connectivity → locality maps, nulls, C^in, IPR, pixel map; for the
 * detail levels also resolved maps, mask grids and node ablation; across levels
 * the accuracy-vs-u and locality-vs-u curves. Writes figures/ and tables/ into `dir`
 * and returns the manifest summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, type Artifact } from '@imp/artifacts';
import type { AnalysisConfig } from './config.ts';
import {
  composeConnectivity,
  connectivityFromMask,
  emptyConnectivity,
  inDegrees,
  pixelCounts,
  remapInputs,
  type Connectivity,
} from './connectivity.ts';
import { binaryPlanes, maskGridPng, pixelMapPng, smapFigure, weightedPlanes, type FigureEntry } from './figures.ts';
import { levelInputs, loadDataset, loadMask, loadMetrics, loadParams, type LevelMetrics } from './load.ts';
import { ablate } from './ablation.ts';
import { degreeGroups, inDegreeHistogram, iprPerNode, mean, std, topNodes, type AblationMode } from './measures.ts';
import { sampleDegreePreserving } from './nulls.ts';
import { chart, PALETTE, type Series } from './plot/svg.ts';
import {
  computeSMaps,
  expectedUniform,
  localFraction,
  normalizeMax,
  pairCapacity,
  radialProfile,
  radiusAtHalfMax,
  type DMap,
  type Geometry,
  type SMaps,
} from './smap.ts';
import { columns, writeTable, type TableEntry } from './tables.ts';

export interface LevelScalars {
  level: number;
  u: number;
  u_layer1: number;
  best_val_top1: number | null;
  final_val_top1: number | null;
  locality_ratio: number | null;
  locality_ratio_strict: number | null;
  r_half: number | null;
  r_half_uniform: number | null;
  ipr_mean: number | null;
  cin_mean: number;
  cin_std: number;
  alive_nodes: number;
  constant_pixel_connections: number;
  eval_val_top1: number | null;
}

/** u as a percentage for labels: 100, 36, 4.7, 0.97 */
const pct = (u: number) => {
  const v = 100 * u;
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
};
const num = (v: number): number | null => (Number.isFinite(v) ? Number(v.toPrecision(12)) : null);

export async function analyzeExperiment(
  inputs: Record<string, Artifact>,
  cfg: AnalysisConfig,
  dir: string,
  log: (m: string) => void,
) {
  const timings: Record<string, number> = {};
  const tic = (k: string, t0: number) => (timings[k] = (timings[k] ?? 0) + (performance.now() - t0) / 1000);
  mkdirSync(join(dir, 'figures', 'evolution'), { recursive: true });
  mkdirSync(join(dir, 'tables'), { recursive: true });

  let t0 = performance.now();
  const ds = loadDataset(inputs.dataset!);
  const g: Geometry = { channels: ds.layout.channels, height: ds.layout.height, width: ds.layout.width };
  const D = ds.dim;
  const constOrig = new Uint8Array(D);
  for (let i = 0; i < D; i++) constOrig[ds.origOf[i]!] = ds.constantStored[i]!;
  const nConst = constOrig.reduce((a, b) => a + b, 0);
  const valid = cfg.exclude_constant_pixels && nConst > 0 ? Uint8Array.from(constOrig, (c) => 1 - c) : undefined;
  const validCount = valid ? D - nConst : D;
  const cap = pairCapacity(g, valid);
  tic('load_dataset_s', t0);
  log(
    `dataset ${g.channels}x${g.height}x${g.width}, ${nConst} constant pixels${ds.permuted ? ', pixels permuted (maps in original pixel space)' : ''}`,
  );

  const levels = levelInputs(inputs);
  const metrics = new Map<number, LevelMetrics | null>(levels.map((l) => [l.level, loadMetrics(l.metrics)]));
  const bestOf = (k: number) => metrics.get(k)?.best_val_top1 ?? NaN;
  let bestLevel = levels[levels.length - 1]!.level;
  let bestAcc = -Infinity;
  for (const l of levels)
    if (bestOf(l.level) > bestAcc) {
      bestAcc = bestOf(l.level);
      bestLevel = l.level;
    }
  const all = levels.map((l) => l.level);
  const detail = cfg.detail_levels.length
    ? cfg.detail_levels.filter((k) => all.includes(k))
    : [...new Set([all[0]!, bestLevel, all[all.length - 1]!])].sort((a, b) => a - b);
  const evoLevels = cfg.evolution_levels.length ? cfg.evolution_levels.filter((k) => all.includes(k)) : all;
  const ablationLevels = cfg.ablation_levels.length ? cfg.ablation_levels.filter((k) => all.includes(k)) : [bestLevel];
  const refLevel = cfg.evolution_reference === 'best' ? bestLevel : all[all.length - 1]!;
  log(`levels ${all.join(',')}; best ${bestLevel}; detail ${detail.join(',')}`);

  // Fixed node set for the evolution grids (chosen once, at the reference level).
  const refInputs = levels.find((l) => l.level === refLevel)!;
  const refDims = loadParams(refInputs.params).dims;
  const refMask = loadMask(refInputs.mask).get('W1');
  const refNodes = topNodes(
    refMask ? inDegrees(connectivityFromMask(refMask, D, refDims[1]!)) : new Int32Array(refDims[1]!).fill(D),
    cfg.top_n,
  );

  const figures: FigureEntry[] = [];
  const fig = (file: string, content: string | Buffer, title: string, caption: string, level?: number) => {
    writeFileSync(join(dir, file), content);
    figures.push({ file, title, caption, ...(level !== undefined ? { level } : {}) });
  };
  const scalars: LevelScalars[] = [];
  const layerRows: Record<string, number | string>[] = [];
  const nodeRows = {
    level: [] as number[],
    layer: [] as number[],
    node: [] as number[],
    cin: [] as number[],
    cin_valid: [] as number[],
    ipr: [] as number[],
  };
  const pixelRows = {
    level: [] as number[],
    pixel: [] as number[],
    c: [] as number[],
    y: [] as number[],
    x: [] as number[],
    connections: [] as number[],
    constant: [] as number[],
  };
  const histRows: Record<string, number>[] = [];
  const mapRows = {
    level: [] as number[],
    layer: [] as number[],
    map: [] as string[],
    height: [] as number[],
    width: [] as number[],
    values: [] as Float64Array[],
  };
  const radialRows = {
    level: [] as number[],
    layer: [] as number[],
    map: [] as string[],
    r: [] as number[],
    value: [] as number[],
  };
  const resolvedRows: Record<string, number>[] = [];
  const ablationRows: Record<string, number | string>[] = [];
  const radialForPlot = new Map<number, Float64Array>();
  let uniformRadial: Float64Array | null = null;
  const scMapsByLevel: { level: number; map: DMap }[] = [];
  const HW = g.height * g.width;

  const addMap = (level: number, layer: number, name: string, m: DMap) => {
    mapRows.level.push(level);
    mapRows.layer.push(layer);
    mapRows.map.push(name);
    mapRows.height.push(m.h);
    mapRows.width.push(m.w);
    mapRows.values.push(m.data);
  };
  const addRadial = (level: number, layer: number, name: string, prof: Float64Array) => {
    prof.forEach((v, r) => {
      radialRows.level.push(level);
      radialRows.layer.push(layer);
      radialRows.map.push(name);
      radialRows.r.push(r);
      radialRows.value.push(v);
    });
  };

  for (const li of levels) {
    const k = li.level;
    const isDetail = detail.includes(k);
    t0 = performance.now();
    const P = loadParams(li.params);
    const M = loadMask(li.mask);
    tic('load_levels_s', t0);
    const dims = P.dims;
    if (dims[0] !== D) throw new Error(`params.L${k}: input dim ${dims[0]} does not match the dataset (${D})`);
    const h1 = dims[1]!;
    const nHidden = dims.length - 2;
    const nLayers = cfg.max_layers > 0 ? Math.min(cfg.max_layers, nHidden) : nHidden;
    let ones = 0,
      total = 0;
    for (const [name, m] of M)
      if (name.startsWith('W')) {
        total += m.length;
        for (const v of m) ones += v;
      }
    const u = total ? ones / total : 1;
    const mask1 = M.get('W1') ?? null;
    const u1 = mask1 ? mask1.reduce((a, b) => a + b, 0) / mask1.length : 1;

    // Connectivity of each hidden layer, in original pixel space (spec §4(a)).
    t0 = performance.now();
    const denseConn = (n: number): Connectivity => {
      const c = emptyConnectivity(D, n);
      for (let w = 0; w < c.words; w++)
        for (let j = 0; j < n; j++)
          c.bits[j * c.words + w] = w === c.words - 1 && D % 32 ? (1 << (D % 32)) - 1 : 0xffffffff;
      return c;
    };
    const stored1 = mask1 ? connectivityFromMask(mask1, D, h1) : denseConn(h1);
    const conns: Connectivity[] = [ds.permuted ? remapInputs(stored1, ds.origOf) : stored1];
    for (let l = 2; l <= nLayers; l++) {
      const ml = M.get(`W${l}`) ?? new Uint8Array(dims[l - 1]! * dims[l]!).fill(1);
      conns.push(composeConnectivity(conns[l - 2]!, ml, dims[l - 1]!, dims[l]!));
    }
    tic('connectivity_s', t0);
    const conn1 = conns[0]!;
    const deg1 = inDegrees(conn1);
    const deg1v = valid ? inDegrees(conn1, valid) : deg1;
    const pc = pixelCounts(conn1);
    let constConn = 0;
    for (let p = 0; p < D; p++) if (constOrig[p]) constConn += pc[p]!;

    // Locality maps per layer, exact, with the uniform-null expectation.
    t0 = performance.now();
    let ratio1 = NaN,
      rhalf1 = NaN,
      rhalfU1 = NaN;
    let s1: SMaps | null = null;
    const layerMaps: { sc: DMap; dc: DMap; layer: number }[] = [];
    for (let l = 1; l <= nLayers; l++) {
      const c = conns[l - 1]!;
      const s = computeSMaps(c, g, { valid })[0]!;
      const dv = l === 1 ? deg1v : inDegrees(c, valid);
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
        r_half: rh,
        r_half_uniform: rhU,
      });
      addMap(k, l, 'sc', s.sc);
      addMap(k, l, 'dc', s.dc);
      addMap(k, l, 'sc_uniform', e.sc);
      addMap(k, l, 'dc_uniform', e.dc);
      addRadial(k, l, 'sc', prof);
      addRadial(k, l, 'dc', radialProfile(normalizeMax(s.dc)));
      addRadial(k, l, 'sc_uniform', profU);
      layerMaps.push({ sc: s.sc, dc: s.dc, layer: l });
      if (l === 1) {
        s1 = s;
        ratio1 = frac / fracU;
        rhalf1 = rh;
        rhalfU1 = rhU;
        radialForPlot.set(k, prof);
        uniformRadial ??= profU;
        scMapsByLevel.push({ level: k, map: s.sc });
      }
    }
    tic('smaps_s', t0);

    // Strict null: same in-degrees, inputs drawn ∝ their total connection count.
    t0 = performance.now();
    let ratioStrict = NaN;
    let strictMap: DMap | null = null;
    if (cfg.null_samples > 0 && s1) {
      const wts = Float64Array.from(pc, (v, p) => (valid && !valid[p] ? 0 : v));
      const rng = new Rng(cfg.seed, 10_000 + k);
      const acc = new Float64Array(s1.sc.data.length);
      for (let s = 0; s < cfg.null_samples; s++) {
        const sm = computeSMaps(sampleDegreePreserving(rng, deg1v, wts), g, { valid })[0]!;
        for (let t = 0; t < acc.length; t++) acc[t]! += sm.sc.data[t]! / cfg.null_samples;
      }
      strictMap = { h: s1.sc.h, w: s1.sc.w, data: acc };
      ratioStrict = localFraction(s1.sc, cfg.r) / localFraction(strictMap, cfg.r);
      addMap(k, 1, 'sc_strict', strictMap);
      addRadial(k, 1, 'sc_strict', radialProfile(normalizeMax(strictMap)));
    }
    layerRows[layerRows.length - nLayers]!.locality_ratio_strict = ratioStrict;
    tic('strict_null_s', t0);

    // Per-node and per-pixel measures (spec §4(b), (e), IPR).
    const W1 = P.tensors.get('W1')!;
    const ipr = iprPerNode(W1, mask1, D, h1);
    for (let l = 1; l <= nLayers; l++) {
      const dl = l === 1 ? deg1 : inDegrees(conns[l - 1]!);
      const dlv = l === 1 ? deg1v : valid ? inDegrees(conns[l - 1]!, valid) : dl;
      for (let j = 0; j < dl.length; j++) {
        nodeRows.level.push(k);
        nodeRows.layer.push(l);
        nodeRows.node.push(j);
        nodeRows.cin.push(dl[j]!);
        nodeRows.cin_valid.push(dlv[j]!);
        nodeRows.ipr.push(l === 1 ? ipr[j]! : NaN);
      }
    }
    for (let p = 0; p < D; p++) {
      pixelRows.level.push(k);
      pixelRows.pixel.push(p);
      pixelRows.c.push(Math.floor(p / HW));
      pixelRows.y.push(Math.floor((p % HW) / g.width));
      pixelRows.x.push(p % g.width);
      pixelRows.connections.push(pc[p]!);
      pixelRows.constant.push(constOrig[p]!);
    }
    const hist = inDegreeHistogram(deg1, D, u1, cfg.cin_bin_width);
    for (const b of hist)
      histRows.push({ level: k, lo: b.lo, hi: b.hi, count: b.count, expected_binomial: b.expected });
    const alive = deg1.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);

    // Evolution grid: fixed node set, mask ⊙ weight per node (the authors' movie, spec §5.3).
    if (evoLevels.includes(k)) {
      const nodes = refNodes.filter((j) => j < h1);
      fig(
        `figures/evolution/weighted_L${k}.png`,
        maskGridPng(
          nodes.map((j) => weightedPlanes(W1, mask1, h1, j, ds.origOf)),
          g,
          cfg.grid_columns,
          cfg.mask_scale,
        ),
        `Weighted masks, level ${k} (fixed nodes)`,
        `mask ⊙ weight (min–max per node) of the ${nodes.length} most connected first-layer nodes at level ${refLevel} (${cfg.evolution_reference} level), shown at level ${k} (u = ${pct(u)} %). Grey = 0.`,
        k,
      );
    }

    let evalTop1 = NaN;
    if (isDetail) {
      // Connection-resolved S^sc (spec §4(d)).
      const { groups, bins } = degreeGroups(deg1v, cfg.resolved_bin_width, cfg.resolved_panels);
      if (bins.length) {
        const parts = computeSMaps(conn1, g, { valid, groups, nGroups: bins.length });
        const fracU = localFraction(cap.sc, cfg.r);
        bins.forEach((b, i) => {
          resolvedRows.push({
            level: k,
            bin: i,
            lo: b.lo,
            hi: b.hi - 1,
            nodes: b.nodes,
            locality_ratio: localFraction(parts[i]!.sc, cfg.r) / fracU,
          });
          addMap(k, 1, `sc_resolved_${i}`, parts[i]!.sc);
        });
        fig(
          `figures/cin_resolved_L${k}.svg`,
          smapFigure(
            parts.map((p, i) => ({ map: p.sc, label: `${bins[i]!.lo}-${bins[i]!.hi - 1} (${bins[i]!.nodes})` })),
            Math.max(1, cfg.map_scale - 1),
            6,
          ),
          `Connection-resolved S^sc, level ${k}`,
          `S^sc(d) of first-layer nodes grouped by in-degree C^in (label: in-degree range (nodes)); each panel scaled to its own maximum. Spec §4(d).`,
          k,
        );
      }
      const items = [
        { map: s1!.sc, label: 'S^sc(d)' },
        ...(g.channels > 1 ? [{ map: s1!.dc, label: 'S^dc(d)' }] : []),
        { map: expectedUniform(cap, deg1v, validCount).sc, label: 'uniform null E[S^sc]' },
        ...(strictMap ? [{ map: strictMap, label: 'strict null S^sc' }] : []),
      ];
      fig(
        `figures/smaps_L${k}.svg`,
        smapFigure(items, cfg.map_scale, items.length),
        `Locality maps, level ${k}`,
        `First-layer S^sc(d) (same-channel pairs) and S^dc(d) (different channels), d=0 at the centre, each scaled 0..max, next to the exact expectation for a uniformly random mask with the same in-degrees and the strict null (same in-degrees, inputs drawn ∝ connection count). Locality ratio (r=${cfg.r}) = ${ratio1.toFixed(2)} (uniform), ${Number.isFinite(ratioStrict) ? ratioStrict.toFixed(2) : 'n/a'} (strict). u = ${pct(u)} %.`,
        k,
      );
      if (layerMaps.length > 1)
        fig(
          `figures/smaps_layers_L${k}.svg`,
          smapFigure(
            layerMaps.flatMap((m) => [
              { map: m.sc, label: `layer ${m.layer} S^sc` },
              ...(g.channels > 1 ? [{ map: m.dc, label: `layer ${m.layer} S^dc` }] : []),
            ]),
            Math.max(1, cfg.map_scale - 1),
            (g.channels > 1 ? 2 : 1) * Math.min(3, layerMaps.length),
          ),
          `Locality maps per layer, level ${k}`,
          `S^sc and S^dc of hidden layers 1..${layerMaps.length} through effective connectivity (nonzero pattern of M1·M2⋯Mℓ, spec §4(a)).`,
          k,
        );
      // C^in histogram vs binomial.
      fig(
        `figures/cin_hist_L${k}.svg`,
        chart({
          xLabel: 'C^in,1 (connected inputs per first-layer node)',
          yLabel: 'nodes',
          yLog: true,
          title: `In-degree histogram, level ${k}`,
          bars: [
            {
              lo: hist.map((b) => b.lo),
              hi: hist.map((b) => b.hi),
              value: hist.map((b) => b.count),
              label: 'IMP mask',
              color: '#1f77b4',
            },
          ],
          series: [
            {
              x: hist.map((b) => (b.lo + b.hi) / 2),
              y: hist.map((b) => b.expected),
              label: `binomial(${D}, u=${u1.toPrecision(3)})`,
              color: '#d62728',
              marker: 'none',
            },
          ],
          yRange: [0.5, Math.max(2, ...hist.map((b) => Math.max(b.count, b.expected))) * 1.5],
        }),
        `C^in histogram, level ${k}`,
        `In-degree of first-layer nodes (bin width ${cfg.cin_bin_width}, log counts) vs the binomial expectation for a random mask of the same density. Mean ${mean(deg1).toFixed(1)}.`,
        k,
      );
      fig(
        `figures/pixel_map_L${k}.png`,
        pixelMapPng(pc, g, 8),
        `Per-pixel connection map, level ${k}`,
        `Σ_j C[p,j] per input pixel (channels as R,G,B; normalised by the maximum). ${nConst} constant pixels carry ${constConn} connections.`,
        k,
      );
      const top = topNodes(deg1, cfg.top_n);
      fig(
        `figures/masks_L${k}.png`,
        maskGridPng(
          top.map((j) => binaryPlanes(conn1, j)),
          g,
          cfg.grid_columns,
          cfg.mask_scale,
        ),
        `Masks of the ${top.length} most connected nodes, level ${k}`,
        `Binary first-layer masks (RGB = colour channels), nodes sorted by in-degree (spec §4(f)).`,
        k,
      );
      fig(
        `figures/masks_weighted_L${k}.png`,
        maskGridPng(
          top.map((j) => weightedPlanes(W1, mask1, h1, j, ds.origOf)),
          g,
          cfg.grid_columns,
          cfg.mask_scale,
        ),
        `Weighted masks of the ${top.length} most connected nodes, level ${k}`,
        `mask ⊙ weight, min–max normalised per node (grey = 0).`,
        k,
      );
    }
    if (ablationLevels.includes(k)) {
      // Node ablation (spec §4(g)).
      t0 = performance.now();
      const abl = ablate(P, M, ds, deg1, cfg, k, log);
      tic('ablation_s', t0);
      if (abl) {
        evalTop1 = abl.base;
        for (const r of abl.rows) ablationRows.push({ level: k, ...r });
        const modes: AblationMode[] = ['max', 'min', 'rand'];
        fig(
          `figures/ablation_L${k}.svg`,
          chart({
            title: `Node ablation, level ${k}`,
            xLabel: 'first-layer nodes removed',
            yLabel: 'val top-1 accuracy',
            series: modes.map((m, i) => ({
              label: { max: 'most connected', min: 'least connected', rand: 'random' }[m],
              color: PALETTE[i],
              x: abl.rows.filter((r) => r.mode === m).map((r) => r.removed),
              y: abl.rows.filter((r) => r.mode === m).map((r) => r.top1),
            })),
            yRange: [0, Math.max(0.01, abl.base * 1.1)],
          }),
          `Node ablation, level ${k}`,
          `Val top-1 after zeroing the incoming weights of the s most / least connected or random first-layer nodes (bias kept), BN running statistics, ${abl.n} val images. Sizes ${cfg.ablation_sizes.join(',')} per ${cfg.ablation_reference_width} nodes scaled to ${h1}.`,
          k,
        );
      }
    }
    if (isDetail) {
      // Train/val curves (from metrics).
      const mrows = metrics.get(k)?.rows ?? [];
      const curve = (split: string) =>
        mrows.filter((r) => r.split === split && r.metric === 'top1').sort((a, b) => a.step - b.step);
      if (mrows.length)
        fig(
          `figures/train_val_L${k}.svg`,
          chart({
            title: `Training curves, level ${k}`,
            xLabel: 'step',
            yLabel: 'top-1 error',
            series: (['train', 'val'] as const).map((s, i) => ({
              label: s,
              color: PALETTE[i],
              marker: 'none' as const,
              x: curve(s).map((r) => r.step),
              y: curve(s).map((r) => 1 - r.value),
            })),
          }),
          `Train/val error, level ${k}`,
          `Top-1 error vs training step of level ${k} (from its metrics artifact).`,
          k,
        );
    }

    scalars.push({
      level: k,
      u,
      u_layer1: u1,
      best_val_top1: num(bestOf(k)),
      final_val_top1: num(metrics.get(k)?.final_val_top1 ?? NaN),
      locality_ratio: num(ratio1),
      locality_ratio_strict: num(ratioStrict),
      r_half: num(rhalf1),
      r_half_uniform: num(rhalfU1),
      ipr_mean: num(mean(ipr)),
      cin_mean: mean(deg1),
      cin_std: std(deg1),
      alive_nodes: alive,
      constant_pixel_connections: constConn,
      eval_val_top1: num(evalTop1),
    });
    log(
      `level ${k}: u=${pct(u)}% ratio=${ratio1.toFixed(3)} strict=${ratioStrict.toFixed(3)} r_half=${rhalf1.toFixed(2)} ipr=${mean(ipr).toExponential(2)}`,
    );
  }

  // Cross-level figures.
  const us = scalars.map((s) => 100 * s.u);
  const best = scalars.find((s) => s.level === bestLevel)!;
  const dense = scalars.find((s) => s.level === 0);
  const xu = { xLabel: 'percentage of unpruned weights u', xLog: true, xReverse: true } as const;
  fig(
    'figures/accuracy_vs_u.svg',
    chart({
      ...xu,
      yLabel: 'best val. top-1 accuracy',
      title: 'Accuracy vs fraction of weights left',
      series: [
        { x: us, y: scalars.map((s) => s.best_val_top1 ?? NaN), color: 'black', label: 'IMP (best val.)' },
        { x: us, y: scalars.map((s) => s.final_val_top1 ?? NaN), color: '#1f77b4', dash: true, label: 'final step' },
      ],
      hlines: dense?.best_val_top1 != null ? [{ y: dense.best_val_top1, label: 'dense', color: '#888' }] : [],
      highlights:
        best.best_val_top1 != null
          ? [{ x: 100 * best.u, y: best.best_val_top1, label: `best: level ${bestLevel}` }]
          : [],
    }),
    'Best val. accuracy vs u',
    'Best validation top-1 per IMP level vs percentage of unpruned weights (log, reversed as in the paper); square = best level, dashed line = dense network.',
  );
  fig(
    'figures/locality_vs_u.svg',
    chart({
      ...xu,
      yLabel: `locality ratio (r = ${cfg.r})`,
      title: 'Locality of first-layer connectivity vs u',
      series: [
        { x: us, y: scalars.map((s) => s.locality_ratio ?? NaN), label: 'vs uniform random mask' },
        { x: us, y: scalars.map((s) => s.locality_ratio_strict ?? NaN), label: 'vs strict null' },
      ],
      hlines: [{ y: 1, label: 'no locality' }],
      highlights: best.locality_ratio != null ? [{ x: 100 * best.u, y: best.locality_ratio }] : [],
    }),
    'Locality ratio vs u',
    `Fraction of same-channel pairs with |d|∞ ≤ ${cfg.r}, divided by the same fraction for the exact uniform-random expectation and for the strict null (same in-degrees, inputs ∝ connection counts). 1 = no locality.`,
  );
  fig(
    'figures/rhalf_ipr_vs_u.svg',
    chart({
      ...xu,
      yLabel: 'value',
      yLog: true,
      title: 'Radius at half maximum and IPR vs u',
      series: [
        { x: us, y: scalars.map((s) => s.r_half ?? NaN), label: 'r_half of S^sc (px)' },
        { x: us, y: scalars.map((s) => s.r_half_uniform ?? NaN), label: 'r_half, uniform null', dash: true },
        { x: us, y: scalars.map((s) => s.ipr_mean ?? NaN), label: 'mean IPR of W1⊙M1' },
      ],
    }),
    'r_half and IPR vs u',
    'Radius where the radial profile of S^sc falls to half its maximum, and the mean inverse participation ratio IPR_j = Σw⁴/(Σw²)² of first-layer nodes (w = W1⊙M1), per level.',
  );
  const radialSeries: Series[] = detail
    .filter((k) => radialForPlot.has(k))
    .map((k, i) => ({
      label: `level ${k}`,
      x: [...radialForPlot.get(k)!.keys()].slice(1),
      y: [...radialForPlot.get(k)!].slice(1),
      color: PALETTE[i],
      marker: 'none',
    }));
  if (uniformRadial)
    radialSeries.push({
      label: 'uniform null',
      x: [...uniformRadial.keys()].slice(1),
      y: [...uniformRadial].slice(1),
      color: '#555',
      dash: true,
      marker: 'none',
    });
  fig(
    'figures/radial_profiles.svg',
    chart({
      xLabel: 'radius |d| (px)',
      yLabel: 'S^sc / max',
      title: 'Radial profile of S^sc',
      series: radialSeries,
      hlines: [{ y: 0.5, color: '#aaa' }],
    }),
    'Radial profile of S^sc',
    'Ring average of the normalised first-layer S^sc at radius round(|d|) for the detail levels and the uniform-random expectation.',
  );
  fig(
    'figures/smaps_all_levels.svg',
    smapFigure(
      scMapsByLevel.map((m) => ({
        map: m.map,
        label: `L${m.level} u=${pct(scalars.find((s) => s.level === m.level)!.u)}%`,
      })),
      2,
      7,
    ),
    'S^sc at every level',
    'First-layer S^sc(d) per IMP level (each scaled 0..max): locality emerges as pruning proceeds.',
  );

  // Tables.
  t0 = performance.now();
  const tables: TableEntry[] = [];
  const sc = scalars as unknown as Record<string, unknown>[];
  tables.push(
    writeTable(
      dir,
      'levels',
      'Per-level scalars',
      columns(sc, {
        level: 'int',
        u: 'float',
        u_layer1: 'float',
        best_val_top1: 'float',
        final_val_top1: 'float',
        locality_ratio: 'float',
        locality_ratio_strict: 'float',
        r_half: 'float',
        r_half_uniform: 'float',
        ipr_mean: 'float',
        cin_mean: 'float',
        cin_std: 'float',
        alive_nodes: 'int',
        constant_pixel_connections: 'int',
        eval_val_top1: 'float',
      }),
    ),
  );
  tables.push(
    writeTable(
      dir,
      'layers',
      'Locality per level and hidden layer (effective connectivity)',
      columns(layerRows, {
        level: 'int',
        layer: 'int',
        nodes_connected: 'int',
        cin_mean: 'float',
        local_fraction: 'float',
        local_fraction_uniform: 'float',
        locality_ratio: 'float',
        locality_ratio_strict: 'float',
        r_half: 'float',
        r_half_uniform: 'float',
      }),
    ),
  );
  tables.push(
    writeTable(dir, 'smaps', 'Displacement maps (values row-major over dy, dx; d=0 at the centre)', {
      level: { int: mapRows.level },
      layer: { int: mapRows.layer },
      map: { str: mapRows.map },
      height: { int: mapRows.height },
      width: { int: mapRows.width },
      values: { floatList: mapRows.values },
    }),
  );
  tables.push(
    writeTable(dir, 'radial', 'Radial profiles of the normalised maps', {
      level: { int: radialRows.level },
      layer: { int: radialRows.layer },
      map: { str: radialRows.map },
      r: { int: radialRows.r },
      value: { float: radialRows.value },
    }),
  );
  tables.push(
    writeTable(dir, 'nodes', 'Per-node in-degree and IPR', {
      level: { int: nodeRows.level },
      layer: { int: nodeRows.layer },
      node: { int: nodeRows.node },
      cin: { int: nodeRows.cin },
      cin_valid: { int: nodeRows.cin_valid },
      ipr: { float: nodeRows.ipr },
    }),
  );
  tables.push(
    writeTable(dir, 'pixels', 'Per-pixel connection counts (original pixel space)', {
      level: { int: pixelRows.level },
      pixel: { int: pixelRows.pixel },
      c: { int: pixelRows.c },
      y: { int: pixelRows.y },
      x: { int: pixelRows.x },
      connections: { int: pixelRows.connections },
      constant: { int: pixelRows.constant },
    }),
  );
  tables.push(
    writeTable(
      dir,
      'cin_hist',
      'C^in histogram with binomial expectation',
      columns(histRows, { level: 'int', lo: 'int', hi: 'int', count: 'int', expected_binomial: 'float' }),
    ),
  );
  tables.push(
    writeTable(
      dir,
      'resolved',
      'Connection-resolved locality (detail levels)',
      columns(resolvedRows, { level: 'int', bin: 'int', lo: 'int', hi: 'int', nodes: 'int', locality_ratio: 'float' }),
    ),
  );
  tables.push(
    writeTable(
      dir,
      'ablation',
      'Node ablation (detail levels)',
      columns(ablationRows, {
        level: 'int',
        mode: 'str',
        removed: 'int',
        removed_fraction: 'float',
        top1: 'float',
        top1_std: 'float',
      }),
    ),
  );
  tic('tables_s', t0);

  return {
    summary: {
      levels: scalars,
      best_level: bestLevel,
      detail_levels: detail,
      ablation_levels: ablationLevels,
      evolution: { reference_level: refLevel, nodes: refNodes.length, levels: evoLevels },
      geometry: g,
      constant_pixels: nConst,
      constant_pixels_excluded: !!valid,
      pixels_permuted: ds.permuted,
      r: cfg.r,
      figures,
      tables: tables.map((t) => ({ file: t.file, parquet: t.parquet, title: t.title, rows: t.rows })),
    },
    timings,
  };
}
