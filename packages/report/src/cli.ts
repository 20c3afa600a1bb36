import { stageMain } from '@imp/artifacts';
import { reportStage } from './stage.ts';

await stageMain(reportStage);
