export { trainStage, TrainConfig } from './stage.ts';
export { parseArch, type ArchLayer } from '@imp/artifacts';
export { BatchSampler, gatherRows } from './batches.ts';
export { glorotNormal } from '@imp/artifacts';
