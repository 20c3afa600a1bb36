import { stageMain } from '@imp/artifacts';
import { rewindStage } from './stage.ts';

await stageMain(rewindStage);
