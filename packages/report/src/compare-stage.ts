import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ArtifactError, readSummary, type Artifact, type StageDef } from '@imp/artifacts';
import {
  AnalysisSummary,
  bestLevelOf,
  parseAnalysisSummary,
  safeRelPath,
  type FigureEntry,
  type LevelRow,
} from './analysis-summary.ts';
import { copyFigures, type PlacedFigure } from './figures.ts';
import { copyVegaAssets, PageSpecs } from './interactive.ts';
import { overlaySpec } from './overlay.ts';
import { renderSvg } from './vega-svg.ts';
import { renderCompare, type CompareCurve, type CompareExperiment } from './render-compare.ts';

const KeyFigure = z
  .object({
    label: z.string().min(1).describe('row heading on the page'),
    match: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe(
        "case-insensitive regular expression(s) tried on each figure's `file title`; a list is tried in order (first pattern with a hit wins)",
      ),
    level: z
      .union([z.literal('best'), z.literal('any'), z.number().int()])
      .default('best')
      .describe(
        "which level's figure: 'best' (best level, else a level-less figure), 'any' (first match) or a level number",
      ),
  })
  .strict();
type KeyFigure = z.output<typeof KeyFigure>;

/**
 * Defaults name the paper's key connectivity figures (spec §4c–4f): the S^sc/S^dc
 * locality maps, the binary and weighted mask grids of the most-connected nodes, the
 * per-pixel connection map and the in-degree histogram. The first pattern of each is
 * the analysis stage's file name; the others catch other analysis implementations.
 */
export const DEFAULT_KEY_FIGURES: KeyFigure[] = [
  {
    label: 'Locality maps Sˢᶜ(d), Sᵈᶜ(d)',
    match: ['(^|/)smaps_L\\d', '(^|/)s_?sc[_.]|s\\^?\\{?sc\\b|same[ -_]?channel'],
    level: 'best',
  },
  { label: 'Masks of the most-connected nodes', match: ['(^|/)masks_L\\d', '^(?!.*weight).*mask'], level: 'best' },
  { label: 'Weighted masks (mask ⊙ weight)', match: ['(^|/)masks_weighted_L\\d', 'weighted mask'], level: 'best' },
  {
    label: 'Per-pixel connection map',
    match: ['(^|/)pixel_map_L\\d', 'per[ -_]?pixel|pixel[ -_]?map|connection[ -_]?map'],
    level: 'best',
  },
  {
    label: 'In-degree (Cⁱⁿ) histogram',
    match: ['(^|/)cin_hist_L\\d', 'in-degree histogram|c\\^?in,?1? hist'],
    level: 'best',
  },
];

export const CompareConfig = z
  .object({
    title: z.string().min(1).default('IMP experiment comparison').describe('page title'),
    grouping: z
      .string()
      .default('')
      .describe(
        "what is compared, e.g. 'superclasses vs modulo', 'data fraction', 'pruning procedure', 'NLGP vs Gaussian clone'",
      ),
    notes: z.string().default('').describe('free text shown under the title'),
    order: z
      .array(z.string())
      .default([])
      .describe(
        'input names (the <name> of report.<name>/analysis.<name>) in column order; others follow in the order given',
      ),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .describe("display label per input name (default: the report's experiment name, else the input name)"),
    keyFigures: z
      .array(KeyFigure)
      .default(DEFAULT_KEY_FIGURES)
      .describe('figure rows shown side by side, one column per experiment'),
  })
  .strict();
export type CompareConfig = z.output<typeof CompareConfig>;

const ReportSummary = AnalysisSummary.extend({ experiment: z.string().optional(), title: z.string().optional() });

interface Source {
  name: string;
  art: Artifact;
  via: 'report' | 'analysis';
  label: string;
  levels: LevelRow[];
  bestLevel: number | null;
  figures: FigureEntry[];
  /** A report over seeds: its seeds and per-level intervals. */
  seeds?: number[];
  levelCi?: Record<string, unknown>[];
}

function sourceOf(key: string, art: Artifact, labels: Record<string, string>): Source {
  const [role, ...rest] = key.split('.');
  const name = rest.join('.');
  if (role === 'report') {
    if (art.manifest.stage !== 'report')
      throw new ArtifactError(
        `input ${key} (${art.dir}) was made by stage '${art.manifest.stage}', expected a 'report' artifact`,
        'bad-input',
      );
    const s = readSummary(art, ReportSummary);
    return {
      name,
      art,
      via: 'report',
      label: labels[name] ?? s.experiment ?? name,
      levels: [...s.levels].sort((a, b) => a.level - b.level),
      bestLevel: bestLevelOf(s),
      figures: s.figures,
      ...(Array.isArray(s.seeds) && Array.isArray(s.level_ci)
        ? { seeds: s.seeds as number[], levelCi: s.level_ci as Record<string, unknown>[] }
        : {}),
    };
  }
  const s = parseAnalysisSummary(art);
  return {
    name,
    art,
    via: 'analysis',
    label: labels[name] ?? name,
    levels: s.levels,
    bestLevel: bestLevelOf(s),
    figures: s.figures,
  };
}

function regexOf(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch (e) {
    throw new ArtifactError(
      `compare config: keyFigures match '${pattern}' is not a valid regular expression (${(e as Error).message})`,
      'bad-input',
    );
  }
}

/**
 * Picks the figure for one key-figure row. Patterns are tried in order; within the
 * first pattern that hits, 'best' prefers the best level, then a level-less figure.
 */
export function pickFigure(
  figs: FigureEntry[],
  k: { match: string | string[]; level: 'best' | 'any' | number },
  bestLevel: number | null,
): FigureEntry | null {
  for (const pattern of typeof k.match === 'string' ? [k.match] : k.match) {
    const re = regexOf(pattern);
    const hits = figs.filter((f) => re.test(`${f.file} ${f.title ?? ''}`));
    let pick: FigureEntry | undefined;
    if (k.level === 'any') pick = hits[0];
    else if (typeof k.level === 'number') pick = hits.find((f) => f.level === k.level);
    else
      pick =
        hits.find((f) => f.level === bestLevel && bestLevel !== null) ??
        hits.find((f) => f.level === null || f.level === undefined) ??
        hits[0];
    if (pick) return pick;
  }
  return null;
}

/**
 * The curves of every experiment overlaid, one chart per curve id the analyses declare
 * (kind `metric-vs-u`), in the order the first experiment lists them. Written as
 * `figures/curves/<id>.vl.json` with its static SVG.
 */
async function overlayCurves(sources: Source[], tmp: string, specs: PageSpecs): Promise<CompareCurve[]> {
  const byId = new Map<
    string,
    { title: string; caption: string; charts: { label: string; spec: unknown; where: string }[] }
  >();
  for (const s of sources)
    for (const f of s.figures) {
      if (f.kind !== 'metric-vs-u' || typeof f.level === 'number' || !f.id || !f.spec) continue;
      const rel = safeRelPath(f.spec, `${s.art.dir}/manifest.json`);
      let spec: unknown;
      try {
        spec = JSON.parse(readFileSync(s.art.file(rel), 'utf8'));
      } catch (e) {
        throw new ArtifactError(`${s.art.dir}/${rel}: not a JSON spec (${(e as Error).message})`, 'bad-manifest');
      }
      if (!byId.has(f.id)) byId.set(f.id, { title: f.title || f.id, caption: f.caption ?? '', charts: [] });
      byId.get(f.id)!.charts.push({ label: s.label, spec, where: `${s.art.dir}/${rel}` });
    }
  const out: CompareCurve[] = [];
  mkdirSync(join(tmp, 'figures', 'curves'), { recursive: true });
  for (const [id, c] of byId) {
    const spec = overlaySpec(c.charts);
    const file = `figures/curves/${id}`;
    writeFileSync(join(tmp, `${file}.vl.json`), JSON.stringify(spec) + '\n');
    writeFileSync(join(tmp, `${file}.svg`), await renderSvg(spec));
    out.push({
      id,
      title: c.title,
      caption: c.caption,
      file: `${file}.svg`,
      specId: specs.add(spec),
      count: c.charts.length,
    });
  }
  return out;
}

/**
 * The `compare` stage: one page across experiments (superclasses vs modulo, data
 * fractions, pruning procedures, NLGP vs Gaussian clone, natural vs clone vs MNIST):
 * accuracy and locality curves vs u overlaid, a table of headline numbers, and the
 * key figures side by side, one column per experiment (spec §5.4–5.5).
 */
export const compareStage: StageDef<typeof CompareConfig> = {
  name: 'compare',
  // 3: curves are overlays of the analysis' own Vega-Lite specs, interactive.
  algoVersion: '3',
  description: 'Comparison page across experiments: accuracy/locality vs u overlaid and key figures side by side.',
  config: CompareConfig,
  inputs: {
    report: {
      kind: 'report',
      description: 'report artifacts, one per experiment, as report.<name>',
      many: true,
      optional: true,
    },
    analysis: {
      kind: 'analysis',
      description: 'analysis artifacts, one per experiment, as analysis.<name> (when no report exists)',
      many: true,
      optional: true,
    },
  },
  outputs: { compare: { kind: 'report', description: 'index.html comparing the experiments, figures copied in' } },
  async run(ctx) {
    const cfg = ctx.config;
    const sources = Object.entries(ctx.inputs).map(([k, a]) => sourceOf(k, a, cfg.labels));
    if (!sources.length)
      throw new ArtifactError('stage compare needs at least one report.<name> or analysis.<name> input', 'bad-input');
    const dup = sources.map((s) => s.name).find((n, i, all) => all.indexOf(n) !== i);
    if (dup)
      throw new ArtifactError(
        `stage compare: the name '${dup}' is given both as report.${dup} and analysis.${dup}`,
        'bad-input',
      );
    const unknown = cfg.order.filter((n) => !sources.some((s) => s.name === n));
    if (unknown.length)
      throw new ArtifactError(
        `compare config: order names ${unknown.join(', ')} match no input (inputs: ${sources.map((s) => s.name).join(', ')})`,
        'bad-input',
      );
    const rank = (n: string) => (cfg.order.includes(n) ? cfg.order.indexOf(n) : cfg.order.length);
    // Stable sort: unlisted inputs keep the order the pipeline gave them (its `compare: [...]` list).
    sources.sort((a, b) => rank(a.name) - rank(b.name));
    ctx.log(`comparing ${sources.map((s) => s.name).join(', ')}`);

    await ctx.write('compare', async (tmp) => {
      const specs = new PageSpecs();
      const curves = await overlayCurves(sources, tmp, specs);
      const experiments: CompareExperiment[] = sources.map((s) => {
        const picked = cfg.keyFigures.map((k) => pickFigure(s.figures, k, s.bestLevel));
        // Copy each picked figure once, into a folder per experiment.
        const uniq = [...new Set(picked.filter((f): f is FigureEntry => f !== null))];
        const placed = copyFigures(s.art, uniq, tmp, `figures/${s.name}`);
        const byEntry = new Map(uniq.map((f, i) => [f, placed[i]!]));
        return {
          name: s.name,
          label: s.label,
          dir: basename(s.art.dir),
          via: s.via,
          page: s.via === 'report' ? `../${basename(s.art.dir)}/index.html` : null,
          levels: s.levels,
          bestLevel: s.bestLevel,
          keyFigures: picked.map((f) => (f ? (byEntry.get(f) as PlacedFigure) : null)),
          ...(s.seeds ? { seeds: s.seeds, levelCi: s.levelCi } : {}),
        };
      });
      writeFileSync(
        join(tmp, 'index.html'),
        renderCompare({
          title: cfg.title,
          grouping: cfg.grouping,
          notes: cfg.notes,
          keyFigureLabels: cfg.keyFigures.map((k) => k.label),
          experiments,
          curves,
          specs,
          scripts: specs.size ? copyVegaAssets(tmp) : [],
        }),
      );
      return {
        summary: {
          title: cfg.title,
          grouping: cfg.grouping,
          page: 'index.html',
          experiments: experiments.map((e) => {
            const b = e.levels.find((l) => l.level === e.bestLevel);
            return {
              name: e.name,
              label: e.label,
              dir: e.dir,
              best_level: e.bestLevel,
              best_u: b?.u ?? null,
              best_val_top1: b?.best_val_top1 ?? null,
              locality_ratio_at_best: b?.locality_ratio ?? null,
            };
          }),
        },
      };
    });
  },
};
