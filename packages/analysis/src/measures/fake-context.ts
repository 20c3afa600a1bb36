/**
 * Hand-made experiment and level contexts for measure tests: a first-layer mask whose shape
 * the test chooses, no artifacts. Only what the measures read is filled in; the output
 * records scalars, table rows and figures.
 */
import { analysisConfigSchema, type AnalysisConfig } from '../config.ts';
import type { ExperimentContext, LevelContext } from '../context.ts';
import type { Figure, LevelOutput, TableRow } from '../measure.ts';

export interface FakeOptions {
  height: number;
  width: number;
  /** Per node, the connected pixel indices (one channel). */
  nodes: number[][];
  /** Weights per node (default 1 for every connection). */
  weights?: number[][];
  level?: number;
  cfg?: Partial<AnalysisConfig>;
  classSample?: { x: Float32Array; y: Int32Array };
  numClasses?: number;
}

export function fakeContexts(o: FakeOptions): { x: ExperimentContext; lv: LevelContext } {
  const D = o.height * o.width;
  const h1 = o.nodes.length;
  const W1 = new Float32Array(D * h1);
  const mask1 = new Uint8Array(D * h1);
  o.nodes.forEach((pix, j) =>
    pix.forEach((p, t) => {
      mask1[p * h1 + j] = 1;
      W1[p * h1 + j] = o.weights?.[j]?.[t] ?? 1;
    }),
  );
  const cfg = analysisConfigSchema.parse(o.cfg ?? {});
  const x = {
    cfg,
    g: { channels: 1, height: o.height, width: o.width },
    D,
    valid: undefined,
    bestLevel: o.level ?? 1,
    log: () => {},
    ds: {
      origOf: Int32Array.from({ length: D }, (_, i) => i),
      numClasses: o.numClasses ?? 0,
      classSample: o.classSample ?? { x: new Float32Array(0), y: new Int32Array(0) },
    },
  } as unknown as ExperimentContext;
  const cache = new Map<string, unknown>();
  const lv = {
    level: o.level ?? 1,
    isDetail: true,
    h1,
    W1,
    mask1,
    u: mask1.reduce((a, b) => a + b, 0) / mask1.length,
    memo<T>(key: string, f: () => T): T {
      if (!cache.has(key)) cache.set(key, f());
      return cache.get(key) as T;
    },
  } as unknown as LevelContext;
  return { x, lv };
}

export interface Recorded {
  scalars: Record<string, number | null>;
  rows: Record<string, TableRow[]>;
  figures: Figure[];
}

export function recordingOutput(): { out: LevelOutput; rec: Recorded } {
  const rec: Recorded = { scalars: {}, rows: {}, figures: [] };
  const out: LevelOutput = {
    rows(table, ...rows) {
      (rec.rows[table] ??= []).push(...rows);
    },
    figure(f) {
      rec.figures.push(f);
    },
    time: (_n, f) => f(),
    scalar(name, v) {
      rec.scalars[name] = v;
    },
  };
  return { out, rec };
}
