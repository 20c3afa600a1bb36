import { stageMain } from '@imp/artifacts';
import { analysisStage } from './stage.ts';

await stageMain(analysisStage);
