import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorFile, writeTensorFile, type MetricRow, type NamedTensor } from '@imp/artifacts';

/** Everything besides tensors a resumed run needs to continue bit-identically. */
export interface TrainState {
  /** Updates done so far; the checkpointed tensors are the parameters after `step` updates. */
  step: number;
  emaReady: boolean;
  rows: MetricRow[];
  /** Mini-batch loss accumulated since the last evaluation (float64, exact in JSON). */
  lossSum: number;
  lossCount: number;
  elapsedS: number;
}

const FILE = 'checkpoint.arrow';

/**
 * Writes the checkpoint atomically (temporary file + rename) into the run's work directory
 * `<store>/.work/<final id>/`, which is not an artifact and is removed after success. A kill at
 * any moment leaves either the previous checkpoint or the new one, never a torn file.
 */
export function saveCheckpoint(workDir: string, tensors: NamedTensor[], state: TrainState): void {
  mkdirSync(workDir, { recursive: true });
  const tmp = join(workDir, `${FILE}.${process.pid}.tmp`);
  writeTensorFile(tmp, tensors, 'float32', { state: JSON.stringify(state) });
  renameSync(tmp, join(workDir, FILE));
}

export function loadCheckpoint(workDir: string): { tensors: Map<string, Float32Array>; state: TrainState } | undefined {
  const p = join(workDir, FILE);
  if (!existsSync(p)) return undefined;
  const { tensors, metadata } = readTensorFile(p, 'float32');
  return {
    tensors: new Map(tensors.map((t) => [t.name, t.data as Float32Array])),
    state: JSON.parse(metadata.state!) as TrainState,
  };
}

export function removeWorkDir(workDir: string): void {
  rmSync(workDir, { recursive: true, force: true });
}
