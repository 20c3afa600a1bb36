/**
 * Test fixtures: a small synthetic IMP run (dataset, parameters, masks, metrics)
 * and an `analysis` artifact shaped like the analysis contract, with SVG and PNG
 * figures, so the report can be tested before (and independently of) the analysis stage.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { exportArrowToParquet, writeArtifact, writeMetricsFile, type Artifact, type Kind } from '@imp/artifacts';
import { renderSvg } from './vega-svg.ts';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A minimal RGB PNG encoder (8-bit, no filtering), enough for test figures. */
export function encodePng(
  width: number,
  height: number,
  rgb: (x: number, y: number) => [number, number, number],
): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A viridis-like ramp for maps normalised to [0, 1]. */
function ramp(t: number): [number, number, number] {
  const c = Math.max(0, Math.min(1, t));
  return [
    Math.round(68 + c * (253 - 68)),
    Math.round(1 + c * (231 - 1)),
    Math.round(84 + (c < 0.5 ? c * 2 * (140 - 84) : (1 - c) * 2 * (140 - 84) + (c - 0.5) * 2 * (37 - 84))),
  ];
}

async function simple(
  store: string,
  kind: Kind,
  role: string,
  stage: string,
  config: unknown,
  upstream: Record<string, Artifact>,
  summary: Record<string, unknown>,
): Promise<Artifact> {
  const { artifact } = await writeArtifact(
    { kind, role, stage, algoVersion: 'fixture', config, upstream },
    async (tmp) => {
      writeFileSync(join(tmp, 'fixture.json'), JSON.stringify({ kind, role, config }) + '\n');
      return { summary };
    },
    store,
  );
  return artifact;
}

/**
 * A "metric vs u" Vega-Lite spec in the analysis' data layout (rows in datasets.points,
 * coloured by experiment, dashed by series), as the analysis stage writes it.
 */
export function fixtureCurveSpec(title: string, yTitle: string, points: Record<string, unknown>[], yLog = false) {
  const enc = {
    x: { field: 'u', type: 'quantitative', scale: { type: 'log', reverse: true } },
    y: { field: 'value', type: 'quantitative', title: yTitle, scale: yLog ? { type: 'log' } : { zero: false } },
    color: { field: 'experiment', type: 'nominal', sort: null },
    tooltip: [{ field: 'experiment' }, { field: 'level' }, { field: 'value' }],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    usermeta: { kind: 'metric-vs-u' },
    title,
    width: 360,
    height: 220,
    datasets: { points, rules: [] },
    data: { name: 'points' },
    params: [{ name: 'zoom', select: 'interval', bind: 'scales' }],
    mark: { type: 'line', point: true },
    encoding: { ...enc, strokeDash: { field: 'series', type: 'nominal' } },
  };
}

export interface FixtureOptions {
  /** Distinguishes experiments (enters every config, so ids differ). */
  name: string;
  levels?: number;
  /** Peak accuracy and how much pruning helps, to make comparisons visibly differ. */
  baseAcc?: number;
  gain?: number;
  /** Locality length scale of the synthetic S^sc map (pixels); smaller = more local. */
  scale?: number;
}

/** Writes a synthetic run plus its analysis artifact into `store`; returns the analysis artifact. */
export async function fixtureAnalysis(store: string, o: FixtureOptions): Promise<Artifact> {
  const L = o.levels ?? 6;
  const baseAcc = o.baseAcc ?? 0.3;
  const gain = o.gain ?? 0.08;
  const scale = o.scale ?? 4;
  const dataset = await simple(
    store,
    'dataset',
    'dataset',
    'data',
    { fixture: o.name },
    {},
    { num_classes: 10, n_train: 1000, n_val: 200 },
  );
  const up: Record<string, Artifact> = { dataset };
  for (let k = 0; k < L; k++) {
    up[`params.L${k}`] = await simple(
      store,
      'parameters',
      'final',
      'train',
      { fixture: o.name, level: k },
      { dataset },
      { step: 1000 },
    );
    up[`mask.L${k}`] = await simple(
      store,
      'mask',
      'mask',
      'mask',
      { fixture: o.name, level: k },
      {},
      { level: k, density: 0.7 ** k, stop: false },
    );
    up[`metrics.L${k}`] = await simple(
      store,
      'metrics',
      'metrics',
      'train',
      { fixture: o.name, level: k },
      { dataset },
      { best_val_top1: baseAcc },
    );
  }
  // Accuracy rises then falls with pruning, as in spec §5.1; locality grows with pruning (§5.2–5.3).
  const peak = Math.floor(L * 0.65);
  const levels = Array.from({ length: L }, (_, k) => {
    const u = 0.7 ** k;
    const bump = Math.exp(-(((k - peak) / (L / 3)) ** 2));
    return {
      level: k,
      u,
      best_val_top1: Number((baseAcc + gain * bump - gain * Math.exp(-((peak / (L / 3)) ** 2))).toFixed(4)),
      locality_ratio: Number((1 + (k / L) * (8 / scale)).toFixed(4)),
      locality_ratio_strict: Number((1 + (k / L) * (14 / scale)).toFixed(4)),
      r_half: Number((20 - (k / L) * (20 - scale)).toFixed(3)),
      ipr_mean: Number((1 / (3072 * u)).toPrecision(4)),
      cin_mean: Number((3072 * u).toFixed(2)),
    };
  });
  const best = levels.reduce((a, b) => (b.best_val_top1 > a.best_val_top1 ? b : a)).level;

  const { artifact } = await writeArtifact(
    {
      kind: 'analysis',
      role: 'analysis',
      stage: 'analysis',
      algoVersion: 'fixture',
      config: { fixture: o.name, layer: 1 },
      upstream: up,
    },
    async (tmp) => {
      mkdirSync(join(tmp, 'figures'));
      mkdirSync(join(tmp, 'tables'));
      const figures: Record<string, unknown>[] = [];
      const curves = [
        ['accuracy_vs_u', 'Best val. accuracy vs u', 'val. top-1', 'best_val_top1', false],
        ['locality_vs_u', 'Locality ratio vs u', 'locality ratio', 'locality_ratio', false],
        ['rhalf_vs_u', 'r½ vs u', 'r½ (px)', 'r_half', false],
        ['ipr_vs_u', 'Mean IPR vs u', 'mean IPR', 'ipr_mean', true],
      ] as const;
      for (const [id, title, yTitle, key, yLog] of curves) {
        const spec = fixtureCurveSpec(
          title,
          yTitle,
          levels.map((l) => ({
            experiment: 'IMP',
            series: key,
            level: l.level,
            u: l.u * 100,
            value: l[key],
            best: l.level === best,
          })),
          yLog,
        );
        writeFileSync(join(tmp, 'figures', `${id}.vl.json`), JSON.stringify(spec));
        writeFileSync(join(tmp, 'figures', `${id}.svg`), await renderSvg(spec));
        figures.push({
          id,
          kind: 'metric-vs-u',
          file: `figures/${id}.svg`,
          spec: `figures/${id}.vl.json`,
          title,
          caption: `${key} per IMP level (fixture).`,
        });
      }
      for (const k of [0, best]) {
        const s = k === 0 ? 40 : scale;
        // Synthetic S^sc(d): a "+"-shaped peak of width s over the random-mask pyramid baseline (spec §4c).
        writeFileSync(
          join(tmp, 'figures', `ssc_L${k}.png`),
          encodePng(65, 65, (x, y) => {
            const dx = Math.abs(x - 32),
              dy = Math.abs(y - 32);
            const v =
              dx === 0 && dy === 0
                ? 0
                : (0.3 * ((32 - dx) * (32 - dy))) / 1024 + 0.7 * Math.exp(-Math.min(dx, dy) / s - (dx + dy) / (2 * s));
            return ramp(v);
          }),
        );
        writeFileSync(
          join(tmp, 'figures', `masks_L${k}.png`),
          encodePng(12 * 33, 10 * 33, (x, y) => {
            if (x % 33 === 32 || y % 33 === 32) return [255, 255, 255];
            const n = Math.floor(y / 33) * 12 + Math.floor(x / 33);
            const cx = 8 + ((n * 7) % 16),
              cy = 8 + ((n * 11) % 16);
            const on =
              Math.hypot((x % 33) - cx, (y % 33) - cy) < s / 1.5 + 1 ? 1 : (n * 31 + x * 17 + y * 13) % 97 < 3 ? 1 : 0;
            return on
              ? ([
                  [230, 60, 60],
                  [60, 200, 90],
                  [70, 110, 240],
                ][n % 3] as [number, number, number])
              : [0, 0, 0];
          }),
        );
        figures.push(
          {
            file: `figures/ssc_L${k}.png`,
            title: `S^sc(d) same-channel locality map, level ${k}`,
            caption:
              'Pairs of connected inputs in the same colour channel, by displacement; normalised by the maximum.',
            level: k,
          },
          {
            file: `figures/masks_L${k}.png`,
            title: `Masks of the 120 most-connected nodes, level ${k}`,
            caption: 'Binary first-layer mask columns reshaped to 32×32×3.',
            level: k,
          },
        );
      }
      // A figure series in a sub-folder (as the analysis stage's mask evolution, spec §5.3).
      mkdirSync(join(tmp, 'figures', 'evolution'));
      for (const l of levels) {
        writeFileSync(
          join(tmp, 'figures', 'evolution', `weighted_L${l.level}.png`),
          encodePng(64, 64, (x, y) =>
            ramp(
              Math.exp(-Math.hypot(x - 32, y - 32) / (4 + 30 * l.u)) *
                (0.6 + (0.4 * ((x * 7 + y * 13 + l.level) % 5)) / 4),
            ),
          ),
        );
        figures.push({
          file: `figures/evolution/weighted_L${l.level}.png`,
          title: `Weighted masks, level ${l.level}`,
          caption: `u = ${(l.u * 100).toPrecision(3)} %`,
          level: l.level,
        });
      }
      const hist = fixtureCurveSpec(
        `C^in,1 histogram, level ${best}`,
        'nodes',
        Array.from({ length: 20 }, (_, i) => ({
          experiment: 'C^in',
          series: 'count',
          u: i * 2 + 1,
          value: 100 * Math.exp(-i / 4) + 1,
        })),
        true,
      );
      delete (hist as { usermeta?: unknown }).usermeta;
      writeFileSync(join(tmp, 'figures', `cin_hist_L${best}.vl.json`), JSON.stringify(hist));
      writeFileSync(join(tmp, 'figures', `cin_hist_L${best}.svg`), await renderSvg(hist));
      figures.push({
        id: 'cin_hist',
        spec: `figures/cin_hist_L${best}.vl.json`,
        file: `figures/cin_hist_L${best}.svg`,
        title: 'C^in,1 in-degree histogram',
        caption: 'Number of connected inputs per first-layer node.',
        level: best,
      });
      writeMetricsFile(
        join(tmp, 'tables', 'levels.arrow'),
        levels.map((l) => ({ level: l.level, step: 0, split: 'val', metric: 'top1', value: l.best_val_top1 })),
      );
      await exportArrowToParquet(join(tmp, 'tables', 'levels.arrow'), join(tmp, 'tables', 'levels.parquet'));
      return {
        summary: {
          levels,
          best_level: best,
          figures,
          tables: [
            {
              file: 'tables/levels.arrow',
              parquet: 'tables/levels.parquet',
              name: 'levels',
              title: 'Per-level scalars',
              rows: levels.length,
              columns: [
                { name: 'level', type: 'int', description: 'IMP level' },
                { name: 'u', type: 'float', format: 'percent', description: 'fraction of weights left' },
                { name: 'best_val_top1', type: 'float', format: 'percent', description: 'best val top-1' },
                { name: 'locality_ratio', type: 'float', description: 'locality ratio vs the uniform null' },
                { name: 'locality_ratio_strict', type: 'float', description: 'vs the strict null' },
                { name: 'r_half', type: 'float', description: 'half-maximum radius (px)' },
                { name: 'ipr_mean', type: 'float', description: 'mean IPR' },
                { name: 'cin_mean', type: 'float', description: 'mean in-degree' },
              ],
            },
          ],
        },
      };
    },
    store,
  );
  return artifact;
}

/**
 * An `aggregate` artifact over the given seed analyses, in the aggregate stage's summary
 * layout (package findings; stages share no code, so the report tests write it
 * themselves): mean rows, intervals per level, experiment scalars and band data per curve.
 * The intervals are mean ± 2 sd, enough for drawing.
 */
export async function fixtureAggregate(store: string, analyses: Artifact[]): Promise<Artifact> {
  type Row = Record<string, number>;
  const sums = analyses.map((a) => a.manifest.summary as { levels: Row[]; figures: Record<string, unknown>[] });
  const stat = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
    return { mean: m, lo: m - 2 * sd, hi: m + 2 * sd, sd, n: v.length };
  };
  const metrics = Object.keys(sums[0]!.levels[0]!).filter((k) => k !== 'level');
  const levels = sums[0]!.levels.map((l0) => {
    const row: Row = { level: l0.level! };
    for (const m of metrics) row[m] = stat(sums.map((s) => s.levels.find((l) => l.level === l0.level)![m]!)).mean;
    return row;
  });
  const levelCi = sums[0]!.levels.map((l0) => ({
    level: l0.level!,
    ...Object.fromEntries(
      metrics.map((m) => {
        const st = stat(sums.map((s) => s.levels.find((l) => l.level === l0.level)![m]!));
        return [m, [st.lo, st.hi]];
      }),
    ),
  }));
  const best = levels.reduce((a, b) => (b.best_val_top1! > a.best_val_top1! ? b : a)).level!;
  const { artifact } = await writeArtifact(
    {
      kind: 'analysis',
      role: 'aggregate',
      stage: 'aggregate',
      algoVersion: 'fixture',
      config: {},
      upstream: Object.fromEntries(analyses.map((a, i) => [`analysis.s${i}`, a])),
    },
    async (tmp) => {
      mkdirSync(join(tmp, 'curves'));
      const curves: Record<string, unknown>[] = [];
      for (const f of sums[0]!.figures.filter((x) => x.kind === 'metric-vs-u')) {
        const specs = analyses.map(
          (a) =>
            JSON.parse(readFileSync(a.file(String(f.spec)), 'utf8')) as {
              datasets: { points: Record<string, unknown>[] };
            },
        );
        const points = specs[0]!.datasets.points.map((p, i) => {
          const st = stat(specs.map((s) => Number(s.datasets.points[i]!.value)));
          return { ...p, value: st.mean, lo: st.lo, hi: st.hi, sd: st.sd, n: st.n, best: p.level === best };
        });
        writeFileSync(join(tmp, 'curves', `${String(f.id)}.json`), JSON.stringify({ points, rules: [] }));
        curves.push({ id: f.id, title: f.title, caption: f.caption, data: `curves/${String(f.id)}.json` });
      }
      const peaks = sums.map((s) => s.levels.reduce((a, b) => (b.best_val_top1! > a.best_val_top1! ? b : a)));
      const dense = sums.map((s) => s.levels[0]!.best_val_top1!);
      const st = (v: number[]) => {
        const x = stat(v);
        return { n: x.n, mean: x.mean, sd: x.sd, ci_lo: x.lo, ci_hi: x.hi };
      };
      return {
        summary: {
          seeds: analyses.map((_, i) => i),
          n_seeds: analyses.length,
          confidence: 0.95,
          levels,
          level_ci: levelCi,
          best_level: best,
          experiment: {
            peak_val_top1: st(peaks.map((p) => p.best_val_top1!)),
            u_at_peak: st(peaks.map((p) => p.u!)),
            dense_val_top1: st(dense),
            gain_over_dense_rel: st(peaks.map((p, i) => (p.best_val_top1! - dense[i]!) / dense[i]!)),
          },
          curves,
          figures: [],
          tables: [],
        },
      };
    },
    store,
  );
  return artifact;
}
