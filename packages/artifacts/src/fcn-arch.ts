import { ArtifactError } from './errors.ts';
import { ConfigError } from './config.ts';

/**
 * The fully connected architecture string of the paper (spec §1.1): `f1024:f1024:f1024:x`
 * = hidden layers of 1024, then the output layer with one node per class (`x`).
 * Layer l = 1..L+1 maps dims[l-1] → dims[l].
 */
export interface ArchLayer {
  /** 1-based layer index (output layer = L+1). */
  l: number;
  fanIn: number;
  fanOut: number;
}

export function parseArch(arch: string, inputDim: number, numClasses: number): ArchLayer[] {
  const toks = arch.split(':');
  if (toks.length < 1 || toks[toks.length - 1] !== 'x')
    throw new ConfigError(`field 'arch': '${arch}' must end with the output layer 'x' (e.g. f300:f100:x)`);
  const dims = [inputDim];
  for (const t of toks.slice(0, -1)) {
    const m = /^f([1-9][0-9]*)$/.exec(t);
    if (!m) throw new ConfigError(`field 'arch': layer '${t}' of '${arch}' is not a fully connected layer f<width> (conv/pool layers are not supported)`);
    dims.push(Number(m[1]));
  }
  dims.push(numClasses);
  return dims.slice(1).map((fanOut, i) => ({ l: i + 1, fanIn: dims[i]!, fanOut }));
}

/** Reads the arch / input_dim / num_classes metadata every parameters file carries. */
export interface ArchInfo {
  arch: string;
  inputDim: number;
  numClasses: number;
  layers: ArchLayer[];
}

export function archFromMetadata(md: Record<string, string>, file: string): ArchInfo {
  const arch = md.arch;
  const inputDim = Number(md.input_dim);
  const numClasses = Number(md.num_classes);
  if (!arch || !(inputDim > 0) || !(numClasses > 0))
    throw new ArtifactError(`${file}: metadata lacks arch/input_dim/num_classes`, 'bad-table', file);
  let layers: ArchLayer[];
  try {
    layers = parseArch(arch, inputDim, numClasses);
  } catch (e) {
    throw new ArtifactError(`${file}: ${(e as Error).message}`, 'bad-table', file);
  }
  return { arch, inputDim, numClasses, layers };
}
