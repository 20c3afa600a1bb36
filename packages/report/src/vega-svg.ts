/**
 * Static SVG of a Vega-Lite spec, for the comparison overlays (the analysis renders its
 * own figures the same way; stage packages do not share code, so these lines exist twice).
 */
import type { TopLevelSpec } from 'vega-lite';

/**
 * vega and vega-lite load on first use, not with this module: every stage process imports the
 * report stage's definition to plan its experiment, and loading vega (~240 module files) there
 * was most of a mask or rewind process's start-up (issue 12).
 */
export async function renderSvg(spec: unknown): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  vega.resetSVGDefIds(); // ids come from a process-wide counter: reset for byte-identical pages
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}
