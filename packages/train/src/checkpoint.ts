import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
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

/**
 * `checkpoint-<step>-<sha256 of the file>.arrow`: the checksum lives in the name, so one rename
 * publishes data and checksum together (no sidecar that could disagree with the file after a kill).
 */
const NAME = /^checkpoint-(\d+)-([0-9a-f]{64})\.arrow$/;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Test hook: replaces the tensor writer so a test can make a checkpoint write fail. */
export const checkpointHooks: { write?: typeof writeTensorFile } = {};

function listCheckpoints(workDir: string): { file: string; step: number; sha: string }[] {
  if (!existsSync(workDir)) return [];
  return readdirSync(workDir)
    .map((file) => ({ file, m: NAME.exec(file) }))
    .filter((x) => x.m)
    .map(({ file, m }) => ({ file, step: Number(m![1]), sha: m![2]! }))
    .sort((a, b) => b.step - a.step);
}

/**
 * Writes a checkpoint like an artifact (issue 16 §3) into the run's work directory
 * `<store>/.work/<final id>/`: temporary file, sha256 of its bytes, atomic rename to a name carrying
 * that sha. The previous checkpoint is removed only after the new one is in place, so a kill or a
 * failed write at any moment leaves a good checkpoint; a failed write leaves no temporary file.
 */
export function saveCheckpoint(workDir: string, tensors: NamedTensor[], state: TrainState): void {
  mkdirSync(workDir, { recursive: true });
  const tmp = join(workDir, `checkpoint.${process.pid}.tmp`);
  try {
    (checkpointHooks.write ?? writeTensorFile)(tmp, tensors, 'float32', { state: JSON.stringify(state) });
    const name = `checkpoint-${state.step}-${sha256(readFileSync(tmp))}.arrow`;
    renameSync(tmp, join(workDir, name));
    for (const old of listCheckpoints(workDir)) if (old.file !== name) rmSync(join(workDir, old.file), { force: true });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The newest checkpoint whose bytes match its recorded sha256. A corrupt one (flipped byte,
 * truncated, unreadable) is reported in one log line naming the file and deleted; the next older
 * good one is used, else the run starts from step 0 — never from bad state.
 */
export function loadCheckpoint(
  workDir: string,
  log: (msg: string) => void = () => {},
): { tensors: Map<string, Float32Array>; state: TrainState } | undefined {
  for (const ck of listCheckpoints(workDir)) {
    const p = join(workDir, ck.file);
    try {
      const bytes = readFileSync(p);
      if (sha256(bytes) !== ck.sha) throw new Error('sha256 does not match the recorded checksum');
      const { tensors, metadata } = readTensorFile(p, 'float32');
      const state = JSON.parse(metadata.state!) as TrainState;
      if (state.step !== ck.step) throw new Error(`state step ${state.step} differs from the file name`);
      return { tensors: new Map(tensors.map((t) => [t.name, t.data as Float32Array])), state };
    } catch (e) {
      log(`discarding corrupt checkpoint ${p}: ${(e as Error).message}`);
      rmSync(p, { force: true });
    }
  }
  return undefined;
}

/**
 * Removes this run's checkpoints (and a temporary file a failed write left) once its outputs are
 * written. The directory itself and its owner record belong to runStage, which removes the
 * directory when nothing else is left in it (docs/store-safety.md).
 */
export function removeCheckpoints(workDir: string): void {
  if (!existsSync(workDir)) return;
  for (const f of readdirSync(workDir))
    if (NAME.test(f) || /^checkpoint\.\d+\.tmp$/.test(f)) rmSync(join(workDir, f), { force: true });
}
