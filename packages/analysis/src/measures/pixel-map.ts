import { pixelMapPng } from '../figures.ts';
import type { Measure } from '../measure.ts';

/** Per-pixel connection map (spec §4(e)): Σ_j C[p, j] per input pixel, and what sits on constant pixels. */
export const pixelMap: Measure = {
  name: 'pixel-map',
  description: 'connections per input pixel (spec §4(e)) and connections on constant pixels',
  scalars: [
    {
      name: 'constant_pixel_connections',
      type: 'int',
      description: 'first-layer connections on zero-variance pixels (a bias after input BN)',
    },
  ],
  tables: [
    {
      name: 'pixels',
      title: 'Per-pixel connection counts (original pixel space)',
      columns: [
        { name: 'level', type: 'int', description: 'IMP level' },
        { name: 'pixel', type: 'int', description: 'original pixel index c·H·W + y·W + x' },
        { name: 'c', type: 'int', description: 'channel' },
        { name: 'y', type: 'int', description: 'row' },
        { name: 'x', type: 'int', description: 'column' },
        { name: 'connections', type: 'int', description: 'first-layer nodes connected to the pixel' },
        { name: 'constant', type: 'int', description: '1 if the pixel has zero variance over the training split' },
      ],
    },
  ],
  figures: [{ id: 'pixel_map', levels: 'detail', description: 'connections per pixel, channels as RGB (PNG)' }],
  start(x) {
    const { D, g, constOrig, nConst } = x;
    const HW = g.height * g.width;
    return {
      level(lv, out) {
        const k = lv.level;
        let constConn = 0;
        for (let p = 0; p < D; p++) {
          if (constOrig[p]) constConn += lv.pc[p]!;
          out.rows('pixels', {
            level: k,
            pixel: p,
            c: Math.floor(p / HW),
            y: Math.floor((p % HW) / g.width),
            x: p % g.width,
            connections: lv.pc[p]!,
            constant: constOrig[p]!,
          });
        }
        out.scalar('constant_pixel_connections', constConn);
        if (!lv.isDetail) return;
        out.figure({
          id: 'pixel_map',
          file: `figures/pixel_map_L${k}`,
          title: `Per-pixel connection map, level ${k}`,
          caption: `Σ_j C[p,j] per input pixel (channels as R,G,B; normalised by the maximum). ${nConst} constant pixels carry ${constConn} connections.`,
          level: k,
          png: pixelMapPng(lv.pc, g, 8),
        });
      },
    };
  },
};
