export { trainStage, TrainConfig } from './stage.ts';
export { parseArch, type ArchLayer } from './arch.ts';
export { BatchSampler, gatherRows } from './batches.ts';
export { glorotNormal } from './glorot.ts';
