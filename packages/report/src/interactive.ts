/**
 * Interactive charts on the static pages: the analysis declares a Vega-Lite spec per
 * chart, and the page embeds it with vega-embed (tooltips, zoom/pan, level selectors).
 * vega, vega-lite and vega-embed are copied into the page's `assets/` so it opens from
 * file:// with no network; the specs are inlined as one JSON block because browsers do
 * not let a file:// page fetch neighbouring files. Without scripts the figures' static
 * SVG/PNG images stay.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArtifactError } from '@imp/artifacts';

const require = createRequire(import.meta.url);

/** Browser bundles (UMD, globals vega / vegaLite / vegaEmbed), in load order. */
const BUNDLES = [
  { pkg: 'vega', file: 'vega.min.js' },
  { pkg: 'vega-lite', file: 'vega-lite.min.js' },
  { pkg: 'vega-embed', file: 'vega-embed.min.js' },
];

const LOADER = `// Renders every chart of the page with vega-embed, replacing its static fallback image.
(function () {
  'use strict';
  var blob = document.getElementById('imp-specs');
  if (!blob || typeof vegaEmbed !== 'function') return;
  var specs = JSON.parse(blob.textContent);
  Array.prototype.forEach.call(document.querySelectorAll('.vl[data-spec]'), function (cell) {
    var spec = specs[cell.getAttribute('data-spec')];
    var live = cell.querySelector('.vl-live');
    if (!spec || !live) return;
    // No action menu: its links (editor, source) would leave the machine.
    vegaEmbed(live, spec, { actions: false, renderer: 'svg' })
      .then(function () { cell.classList.add('ready'); })
      .catch(function (e) { live.textContent = ''; console.warn('chart kept static: ' + e); });
  });
})();
`;

/** The build directory of a package (its main entry sits in build/), found through node's resolution. */
function buildDir(pkg: string): string {
  return dirname(require.resolve(pkg));
}

/** Copies the vega bundles, their licences and the loader into `<tmp>/assets/`; returns the script paths. */
export function copyVegaAssets(tmp: string): string[] {
  mkdirSync(join(tmp, 'assets'), { recursive: true });
  const scripts: string[] = [];
  for (const b of BUNDLES) {
    const dir = buildDir(b.pkg);
    copyFileSync(join(dir, b.file), join(tmp, 'assets', b.file));
    copyFileSync(join(dir, '..', 'LICENSE'), join(tmp, 'assets', `${b.pkg}.LICENSE.txt`));
    scripts.push(`assets/${b.file}`);
  }
  writeFileSync(join(tmp, 'assets', 'interactive.js'), LOADER);
  return [...scripts, 'assets/interactive.js'];
}

/** Specs of one page, by element id. */
export class PageSpecs {
  private readonly specs = new Map<string, unknown>();

  /** Registers a spec file (inside `tmp`) and returns the id its figure card refers to. */
  addFile(tmp: string, rel: string): string {
    let spec: unknown;
    try {
      spec = JSON.parse(readFileSync(join(tmp, rel), 'utf8'));
    } catch (e) {
      throw new ArtifactError(`figure spec ${rel}: not valid JSON (${(e as Error).message})`, 'bad-manifest');
    }
    return this.add(spec);
  }

  add(spec: unknown): string {
    const id = `spec-${this.specs.size}`;
    this.specs.set(id, spec);
    return id;
  }

  get size(): number {
    return this.specs.size;
  }

  /** The JSON block and the script tags, for the end of <body>; '' when the page has no chart. */
  html(scripts: string[]): string {
    if (!this.specs.size) return '';
    // '<' escaped so no string inside a spec can close the <script> element.
    const json = JSON.stringify(Object.fromEntries(this.specs)).replace(/</g, '\\u003c');
    return [
      `<script type="application/json" id="imp-specs">${json}</script>`,
      ...scripts.map((s) => `<script src="${s}"></script>`),
    ].join('\n');
  }
}
