import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, type Manifest } from '@imp/artifacts';
import { esc, fmt, relUrl, table } from './html.ts';

/**
 * Lineage of an artifact: its upstream artifacts, transitively, as recorded in the
 * manifests. All artifacts sit side by side in the store, so a page inside one
 * artifact links to another as `../<dir>/manifest.json`.
 */
export interface LineageRow {
  dir: string;
  kind: string;
  role: string;
  stage: string;
  /** Roles through which the root reaches it, e.g. `analysis ← mask.L3`. */
  via: string;
  summary: string;
  present: boolean;
}

/** A short, human line from a manifest summary: the scalars only. */
function summaryLine(m: Manifest | null): string {
  if (!m) return '';
  return Object.entries(m.summary)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .slice(0, 5)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : String(v).slice(0, 40)}`)
    .join(', ');
}

export function collectLineage(root: Manifest, rootDir: string, store: string, maxDepth = 6): LineageRow[] {
  const rows: LineageRow[] = [];
  const seen = new Set<string>();
  const rootName = rootDir.split('/').pop()!;
  rows.push({
    dir: rootName,
    kind: root.kind,
    role: root.role,
    stage: root.stage,
    via: '(input)',
    summary: summaryLine(root),
    present: true,
  });
  seen.add(rootName);
  // Breadth first so direct parents come first.
  let frontier: { m: Manifest; via: string }[] = [{ m: root, via: '' }];
  for (let depth = 0; depth < maxDepth && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { m, via } of frontier)
      for (const u of m.upstream) {
        if (seen.has(u.dir)) continue;
        seen.add(u.dir);
        const dir = join(store, u.dir);
        let um: Manifest | null = null;
        try {
          if (existsSync(join(dir, 'manifest.json'))) um = readManifest(dir);
        } catch {
          um = null;
        }
        const path = via ? `${via} ← ${u.role}` : u.role;
        rows.push({
          dir: u.dir,
          kind: u.kind,
          role: u.role,
          stage: um?.stage ?? '',
          via: path,
          summary: summaryLine(um),
          present: um !== null,
        });
        if (um) next.push({ m: um, via: path });
      }
    frontier = next;
  }
  return rows;
}

export function lineageTable(rows: LineageRow[], opts: { linkPrefix?: string } = {}): string {
  const pre = opts.linkPrefix ?? '../';
  return table(
    ['artifact', 'kind', 'input path', 'stage', 'summary'],
    rows.map((r) => [
      `<a href="${relUrl(`${pre}${r.dir}/manifest.json`)}"><code>${esc(r.dir)}</code></a>${r.present ? '' : ' <span class="muted">(not in store)</span>'}`,
      esc(r.kind),
      esc(r.via),
      esc(r.stage),
      `<span class="muted">${esc(r.summary)}</span>`,
    ]),
    { left: [0, 1, 2, 3, 4] },
  );
}
