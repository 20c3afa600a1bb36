import { stageMain } from '@imp/artifacts';
import { trainStage } from './stage.ts';

await stageMain(trainStage);
