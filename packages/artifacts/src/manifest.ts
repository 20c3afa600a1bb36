import { z } from 'zod';
import { KINDS, MANIFEST_SCHEMA_VERSION } from './kinds.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');

export const FileEntry = z.object({
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: hex64,
});

export const UpstreamEntry = z.object({
  role: z.string(),
  id: hex64,
  kind: z.enum(KINDS),
  dir: z.string(),
  /** sha256 of the upstream manifest.json bytes as they were (timings and dates included). */
  manifestSha256: hex64,
  /**
   * sha256 of what the upstream is: canonical JSON of its id and file list (path, bytes, sha256),
   * `manifestContentSha256`. `imp verify` compares this, so an upstream deleted and recomputed
   * to the same bytes (new timings) still matches, and one whose files changed does not.
   * Absent in artifacts written before it existed.
   */
  contentSha256: hex64.optional(),
});

export const Manifest = z.object({
  format: z.literal('imp-artifact'),
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  id: hex64,
  kind: z.enum(KINDS),
  role: z.string(),
  stage: z.string(),
  algoVersion: z.string(),
  config: z.unknown(),
  upstream: z.array(UpstreamEntry),
  files: z.array(FileEntry),
  codeVersion: z.string(),
  backend: z.record(z.string(), z.unknown()).nullable(),
  seed: z.number().int().nullable(),
  timings: z.record(z.string(), z.number()),
  createdAt: z.string(),
  /** Small, stage-defined facts worth showing in `imp ls` / `imp show` (densities, accuracies...). */
  summary: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof Manifest>;
export type FileEntry = z.infer<typeof FileEntry>;
export type UpstreamEntry = z.infer<typeof UpstreamEntry>;
