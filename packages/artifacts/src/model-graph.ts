import { z } from 'zod';
import { ArtifactError } from './errors.ts';
import { archFromMetadata } from './fcn-arch.ts';

/**
 * The named-tensor contract of parameters and masks (open_lth keys masks by tensor name):
 * a model is a list of layers, each naming its weight tensor (and bias), its op and input,
 * and whether it is prunable. Mask and rewind work on any such list; the FCN of the paper is
 * one model description among others (`fcnGraph`, derived from the `arch` metadata).
 *
 * A parameters file declares its graph in the metadata key `graph` (JSON of `GraphLayer[]`);
 * a file without it but with `arch` (every FCN file the trainer writes) gets `fcnGraph(arch)`.
 * The weight's last axis is the layer's output units (dense [fan_in, fan_out], conv
 * [kh, kw, c_in, c_out]); a bias has shape [units].
 */
export const GraphLayer = z
  .object({
    name: z.string().min(1),
    op: z.string().min(1).describe("'dense', 'conv2d', …: what consumes the weight (analysis needs 'dense' first)"),
    weight: z.string().min(1),
    bias: z.string().min(1).nullable().default(null),
    input: z.string().min(1).describe("'pixels' or the name of the layer feeding this one"),
    prunable: z.boolean(),
  })
  .strict();
export type GraphLayer = z.output<typeof GraphLayer>;

export const GRAPH_METADATA_KEY = 'graph';

/** The graph of an FCN arch: layer l = `L{l}`, weight `W{l}`, bias `b{l}`; all but the output layer prunable. */
export function fcnGraph(layers: { l: number }[]): GraphLayer[] {
  return layers.map((L, i) => ({
    name: `L${L.l}`,
    op: 'dense',
    weight: `W${L.l}`,
    bias: `b${L.l}`,
    input: i === 0 ? 'pixels' : `L${layers[i - 1]!.l}`,
    prunable: i < layers.length - 1,
  }));
}

/** The declared graph of a parameters (or mask) file: its `graph` metadata, else the FCN of its `arch`. */
export function graphFromMetadata(md: Record<string, string>, file: string): GraphLayer[] {
  if (md[GRAPH_METADATA_KEY] !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(md[GRAPH_METADATA_KEY]!);
    } catch (e) {
      throw new ArtifactError(`${file}: metadata 'graph' is not JSON (${(e as Error).message})`, 'bad-table', file);
    }
    const r = z.array(GraphLayer).min(1).safeParse(raw);
    if (!r.success)
      throw new ArtifactError(
        `${file}: metadata 'graph': ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'bad-table',
        file,
      );
    const names = new Set<string>();
    for (const L of r.data) {
      if (names.has(L.name)) throw new ArtifactError(`${file}: graph layer '${L.name}' is declared twice`, 'bad-table', file);
      if (L.input !== 'pixels' && !names.has(L.input))
        throw new ArtifactError(`${file}: graph layer '${L.name}' reads '${L.input}', not an earlier layer`, 'bad-table', file);
      names.add(L.name);
    }
    return r.data;
  }
  if (md.arch !== undefined) return fcnGraph(archFromMetadata(md, file).layers);
  throw new ArtifactError(`${file}: metadata declares neither a 'graph' nor an FCN 'arch'`, 'bad-table', file);
}
