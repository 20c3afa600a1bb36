import { stageMain } from '@imp/artifacts';
import { dataStage } from './stage.ts';

await stageMain(dataStage);
