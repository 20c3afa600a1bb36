/**
 * Static SVG of a Vega-Lite spec, for the comparison overlays (the analysis renders its
 * own figures the same way; stage packages do not share code, so these lines exist twice).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: unknown): Promise<string> {
  vega.resetSVGDefIds(); // ids come from a process-wide counter: reset for byte-identical pages
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}
