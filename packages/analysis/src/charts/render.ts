/** Vega-Lite → static SVG in Node (no canvas, no network; notes §11). The SVG is each figure's fallback image. */
import type { Spec } from './theme.ts';

export async function renderSvg(spec: Spec): Promise<string> {
  // Loaded on first use (vega is an ES module with top-level await: the ahead-of-time
  // CommonJS build must import() it, not require it).
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  // Clip-path and gradient ids come from a process-wide counter: reset it so the same spec
  // gives the same bytes whatever was rendered before (artifacts are byte-reproducible).
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}
