import { canonicalJson, sha256Hex } from './canonical.ts';
import type { Kind } from './kinds.ts';

export interface IdentitySpec {
  kind: Kind;
  /** Which output of the stage this is ('final', 'rewind', 'metrics', ...). */
  role: string;
  /** The stage implementation, e.g. 'train' or an external command's declared name. */
  stage: string;
  /** Bumped by a stage whenever its results would change for the same config. */
  algoVersion: string;
  /** The parsed (defaults filled in) stage config. */
  config: unknown;
  /** Upstream artifact ids by input role. */
  upstream: Record<string, string>;
}

/**
 * The identity of an artifact: sha256 over the canonical JSON of everything that
 * determines its content. Wall-clock fields, the backend and the code version are
 * recorded in the manifest but never enter the id, so the same config and inputs
 * always name the same directory (as open_lth's hashed run names do).
 */
export function artifactId(spec: IdentitySpec): string {
  return sha256Hex(
    canonicalJson({
      kind: spec.kind,
      role: spec.role,
      stage: spec.stage,
      algoVersion: spec.algoVersion,
      config: spec.config,
      upstream: spec.upstream,
    }),
  );
}

/** Directory names keep 20 hex digits (80 bits): readable, and collisions are not a concern here. */
export function artifactDirName(kind: Kind, id: string): string {
  return `${kind}-${id.slice(0, 20)}`;
}
