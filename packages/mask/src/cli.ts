import { stageMain } from '@imp/artifacts';
import { maskStage } from './stage.ts';

await stageMain(maskStage);
