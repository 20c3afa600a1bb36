import { stageMain } from '@imp/artifacts';
import { compareStage } from './stage.ts';

await stageMain(compareStage);
