/** The artifact kinds of the contract (docs/architecture.md). */
export const KINDS = ['dataset', 'parameters', 'mask', 'metrics', 'analysis', 'report'] as const;
export type Kind = (typeof KINDS)[number];

/** Bump when the on-disk layout of the manifest changes. */
export const MANIFEST_SCHEMA_VERSION = 1;
