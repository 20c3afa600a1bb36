export { rewindStage, RewindConfig } from './stage.ts';
export { glorotNormal } from '@imp/artifacts';
export { rewoundTensors } from './run.ts';
