/**
 * What every measure sees: the experiment (dataset geometry, constant pixels, levels,
 * best/detail levels) and, per level, the connectivity all measures share (spec §4(a)):
 * layer-1 bitsets in original pixel space, effective connectivity of deeper layers,
 * in-degrees and per-pixel counts. Quantities several measures need (IPR, the layer-1
 * S maps) are computed once per level through `memo`.
 */
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
import {
  levelInputs,
  loadDataset,
  loadLevel,
  loadMetrics,
  type DatasetInfo,
  type LevelInputs,
  type LevelMetrics,
  type NetParams,
} from './experiment-inputs.ts';
import { pairCapacity, type Geometry, type SMaps } from './smap.ts';
import type { Artifact } from '@imp/artifacts';

export interface ExperimentContext {
  cfg: AnalysisConfig;
  ds: DatasetInfo;
  g: Geometry;
  /** Inputs C·H·W. */
  D: number;
  /** Zero-variance training inputs, in ORIGINAL pixel order. */
  constOrig: Uint8Array;
  nConst: number;
  /** Pixels counted by the locality maps and nulls (undefined = all). */
  valid: Uint8Array | undefined;
  validCount: number;
  /** Ordered valid pairs per displacement (the uniform null's V(d)). */
  cap: SMaps;
  levels: LevelInputs[];
  all: number[];
  metrics: Map<number, LevelMetrics | null>;
  bestLevel: number;
  detail: number[];
  log: (m: string) => void;
}

export interface LevelContext {
  level: number;
  isDetail: boolean;
  P: NetParams;
  M: Map<string, Uint8Array>;
  dims: number[];
  h1: number;
  /** Hidden layers analysed (maxLayers caps it). */
  nLayers: number;
  /** Kept fraction of all pruned weight matrices (level 0 = 1), and of W1. */
  u: number;
  u1: number;
  W1: Float32Array;
  mask1: Uint8Array | null;
  /** Connectivity of hidden layers 1..nLayers, original pixel space. */
  conns: Connectivity[];
  conn1: Connectivity;
  deg1: Int32Array;
  /** In-degree over valid (non-constant) pixels. */
  deg1v: Int32Array;
  /** Σ_j C[p, j] per input pixel (layer 1). */
  pc: Int32Array;
  memo<T>(key: string, f: () => T): T;
}

export function experimentContext(
  inputs: Record<string, Artifact>,
  cfg: AnalysisConfig,
  log: (m: string) => void,
): ExperimentContext {
  const ds = loadDataset(inputs.dataset!, {
    pixelSpace: cfg.pixelSpace,
    samplesPerClass: cfg.pcSamplesPerClass,
    maxClasses: cfg.pcMaxClasses,
  });
  const g: Geometry = { channels: ds.layout.channels, height: ds.layout.height, width: ds.layout.width };
  const D = ds.dim;
  const constOrig = new Uint8Array(D);
  for (let i = 0; i < D; i++) constOrig[ds.origOf[i]!] = ds.constantStored[i]!;
  const nConst = constOrig.reduce((a, b) => a + b, 0);
  const valid = cfg.excludeConstantPixels && nConst > 0 ? Uint8Array.from(constOrig, (c) => 1 - c) : undefined;
  log(
    `dataset ${g.channels}x${g.height}x${g.width}, ${nConst} constant pixels${ds.storedPermuted ? `, pixels permuted (maps in ${cfg.pixelSpace} pixel space)` : ''}`,
  );
  const levels = levelInputs(inputs);
  const metrics = new Map<number, LevelMetrics | null>(levels.map((l) => [l.level, loadMetrics(l.metrics)]));
  // Best level = highest best val top-1 (ties → the lower level); the last level if no metrics.
  let bestLevel = levels[levels.length - 1]!.level;
  let bestAcc = -Infinity;
  for (const l of levels) {
    const acc = metrics.get(l.level)?.best_val_top1 ?? NaN;
    if (acc > bestAcc) {
      bestAcc = acc;
      bestLevel = l.level;
    }
  }
  const all = levels.map((l) => l.level);
  const detail = cfg.detailLevels.length
    ? cfg.detailLevels.filter((k) => all.includes(k))
    : [...new Set([all[0]!, bestLevel, all[all.length - 1]!])].sort((a, b) => a - b);
  log(`levels ${all.join(',')}; best ${bestLevel}; detail ${detail.join(',')}`);
  return {
    cfg,
    ds,
    g,
    D,
    constOrig,
    nConst,
    valid,
    validCount: valid ? D - nConst : D,
    cap: pairCapacity(g, valid),
    levels,
    all,
    metrics,
    bestLevel,
    detail,
    log,
  };
}

function denseConnectivity(D: number, n: number): Connectivity {
  const c = emptyConnectivity(D, n);
  for (let w = 0; w < c.words; w++)
    for (let j = 0; j < n; j++)
      c.bits[j * c.words + w] = w === c.words - 1 && D % 32 ? (1 << (D % 32)) - 1 : 0xffffffff;
  return c;
}

export function levelContext(x: ExperimentContext, li: LevelInputs): LevelContext {
  const k = li.level;
  const { params: P, mask: M } = loadLevel(li, x.ds.layout);
  const dims = P.dims;
  const D = x.D;
  const h1 = dims[1]!;
  const nHidden = dims.length - 2;
  const nLayers = x.cfg.maxLayers > 0 ? Math.min(x.cfg.maxLayers, nHidden) : nHidden;
  let ones = 0,
    total = 0;
  for (const [name, m] of M)
    if (name.startsWith('W')) {
      total += m.length;
      for (const v of m) ones += v;
    }
  const mask1 = M.get('W1') ?? null;
  // Connectivity of each hidden layer, in original pixel space (spec §4(a)).
  const stored1 = mask1 ? connectivityFromMask(mask1, D, h1) : denseConnectivity(D, h1);
  const conns: Connectivity[] = [x.ds.permuted ? remapInputs(stored1, x.ds.origOf) : stored1];
  for (let l = 2; l <= nLayers; l++) {
    const ml = M.get(`W${l}`) ?? new Uint8Array(dims[l - 1]! * dims[l]!).fill(1);
    conns.push(composeConnectivity(conns[l - 2]!, ml, dims[l - 1]!, dims[l]!));
  }
  const conn1 = conns[0]!;
  const deg1 = inDegrees(conn1);
  const cache = new Map<string, unknown>();
  return {
    level: k,
    isDetail: x.detail.includes(k),
    P,
    M,
    dims,
    h1,
    nLayers,
    u: total ? ones / total : 1,
    u1: mask1 ? mask1.reduce((a, b) => a + b, 0) / mask1.length : 1,
    W1: P.tensors.get('W1')!,
    mask1,
    conns,
    conn1,
    deg1,
    deg1v: x.valid ? inDegrees(conn1, x.valid) : deg1,
    pc: pixelCounts(conn1),
    memo<T>(key: string, f: () => T): T {
      if (!cache.has(key)) cache.set(key, f());
      return cache.get(key) as T;
    },
  };
}
