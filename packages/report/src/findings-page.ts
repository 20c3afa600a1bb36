import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { readSummary, type Artifact, type StageDef } from '@imp/artifacts';
import { esc, fmt, fmtPercent, page, relUrl, table } from './html.ts';
import { collectLineage, lineageTable } from './lineage.ts';

export const FindingsPageConfig = z
  .object({
    title: z.string().min(1).default('Findings').describe('page title'),
    name: z.string().default('findings').describe('the findings file name, shown on the page'),
  })
  .strict();

const num = z.number().nullable().optional();
const FindingRow = z.looseObject({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  experiments: z.string().default(''),
  metric: z.string().default(''),
  where: z.string().default(''),
  u: num,
  n: z.number().default(0),
  effect: num,
  ci_lo: num,
  ci_hi: num,
  verdict: z.string(),
  rule: z.string().default(''),
  paper: z.string().default(''),
  paper_value: num,
  note: z.string().default(''),
});
export type FindingRow = z.infer<typeof FindingRow>;
const FindingsSummary = z.looseObject({
  confidence: z.number(),
  findings: z.array(FindingRow),
  experiments: z.record(z.string(), z.string()).default({}),
  tables: z
    .array(z.looseObject({ name: z.string().optional(), file: z.string(), parquet: z.string().optional() }))
    .default([]),
});
export type FindingsSummary = z.infer<typeof FindingsSummary>;

export function parseFindingsSummary(a: Artifact): FindingsSummary {
  return readSummary(a, FindingsSummary);
}

const COLOURS: Record<string, string> = {
  reproduced: '#009E73',
  contradicted: '#D55E00',
  inconclusive: '#5b6473',
  pending: '#888888',
};

const badge = (v: string) =>
  `<span style="display:inline-block;padding:.05rem .5rem;border-radius:1rem;color:#fff;background:${COLOURS[v] ?? '#5b6473'};font-weight:600;font-size:.85rem">${esc(v)}</span>`;

/** `effect [lo, hi]`, 3 significant digits, as the findings page and RESULTS.md show it. */
export function effectText(f: Pick<FindingRow, 'effect' | 'ci_lo' | 'ci_hi' | 'n'>): string {
  if (typeof f.effect !== 'number') return '–';
  const ci =
    typeof f.ci_lo === 'number' && typeof f.ci_hi === 'number'
      ? ` [${fmt(f.ci_lo, 3)}, ${fmt(f.ci_hi, 3)}]`
      : ' (no CI)';
  return `${fmt(f.effect, 3)}${ci}, n = ${f.n}`;
}

/**
 * The `findings-page` stage: one static page of the paper's claims as computed findings
 * (claim, paper, ours with its confidence interval, verdict, the rule that gave it), from
 * a findings artifact (package findings). No scripts.
 */
export const findingsPageStage: StageDef<typeof FindingsPageConfig> = {
  name: 'findings-page',
  // 2: links each experiment's report page (inputs report.<experiment>).
  algoVersion: '2',
  description: "HTML page of the paper's claims as findings: effect ± CI over seeds and the verdict of each rule.",
  config: FindingsPageConfig,
  inputs: {
    findings: { kind: 'analysis', description: 'a findings artifact (stage findings)' },
    report: {
      kind: 'report',
      description: "each claimed experiment's report page (curves with bands over seeds), as report.<experiment>",
      many: true,
      optional: true,
    },
  },
  outputs: { page: { kind: 'report', description: 'index.html' } },
  async run(ctx) {
    const a = ctx.inputs.findings!;
    const s = parseFindingsSummary(a);
    const dir = basename(a.dir);
    const pct = `${Math.round(s.confidence * 100)} %`;
    await ctx.write('page', async (tmp) => {
      const count = (v: string) => s.findings.filter((f) => f.verdict === v).length;
      const card = (k: string, v: number) =>
        `<div class="card"><div class="k">${esc(k)}</div><div class="v" style="color:${COLOURS[k]}">${v}</div></div>`;
      const rows = s.findings.map((f) => [
        `<code>${esc(f.id)}</code>`,
        `<b>${esc(f.title)}</b><br><span class="muted">${esc(f.experiments)}${f.metric ? ` · ${esc(f.metric)}` : ''}${f.where ? ` · ${esc(f.where)}` : ''}${typeof f.u === 'number' ? ` · u = ${fmtPercent(f.u)}` : ''}</span>`,
        `${esc(f.paper)}${typeof f.paper_value === 'number' ? ` <span class="muted">(${fmt(f.paper_value, 3)})</span>` : ''}`,
        f.verdict === 'pending' ? `<span class="muted">${esc(f.note)}</span>` : esc(effectText(f)),
        badge(f.verdict),
        `<span class="muted" style="font-size:.8rem">${esc(f.rule)}${f.note && f.verdict !== 'pending' ? ` — ${esc(f.note)}` : ''}</span>`,
      ]);
      const tableLinks = s.tables
        .map(
          (t) =>
            `<a href="${relUrl(`../${dir}/${t.file}`)}"><code>${esc(t.file)}</code></a>${t.parquet ? ` (<a href="${relUrl(`../${dir}/${t.parquet}`)}">Parquet</a>)` : ''}`,
        )
        .join(' · ');
      const exps = Object.entries(s.experiments)
        .map(([e, d]) => {
          const report = ctx.inputs[`report.${e}`];
          const link = report ? `<a href="${relUrl(`../${basename(report.dir)}/index.html`)}">report</a> · ` : '';
          return `<code>${esc(e)}</code> (${link}<a href="${relUrl(`../${d}/manifest.json`)}">aggregate</a>)`;
        })
        .join(' ');
      const body = `<header class="page">
<h1>${esc(ctx.config.title)}</h1>
<p class="sub">The claims of Pellegrini &amp; Biroli (ICML 2022) as computed findings · <code>pipelines/${esc(ctx.config.name)}.yaml</code> · findings <a href="${relUrl(`../${dir}/manifest.json`)}"><code>${esc(dir)}</code></a></p>
</header>
<section>
<div class="cards">${['reproduced', 'contradicted', 'inconclusive', 'pending'].map((k) => card(k, count(k))).join('')}</div>
${table(['id', 'claim', 'paper', `ours: effect [${pct} CI]`, 'verdict', 'rule'], rows, { left: [0, 1, 2, 5] })}
<p class="muted">Each effect is computed per training seed (differences paired by seed), then averaged; the interval is Student's t with n − 1 degrees of freedom. A claim read over a range of u must hold at every level in it; the row shows the level that decides.</p>
</section>
<section>
<h2>Data</h2>
<p>Tables: ${tableLinks || '–'}</p>
<p>Per experiment, its report (curves with bands over seeds) and its aggregate: ${exps || '–'}</p>
<h2>Lineage</h2>
${lineageTable(collectLineage(a.manifest, a.dir, ctx.store, 2))}
</section>`;
      writeFileSync(join(tmp, 'index.html'), page({ title: ctx.config.title, body }));
      return {
        summary: {
          title: ctx.config.title,
          page: 'index.html',
          findings: dir,
          counts: Object.fromEntries(
            ['reproduced', 'contradicted', 'inconclusive', 'pending'].map((k) => [k, count(k)]),
          ),
        },
      };
    });
  },
};
