export { rewindStage, RewindConfig } from './stage.ts';
export { glorotNormal } from './glorot.ts';
export { rewoundTensors } from './run.ts';
