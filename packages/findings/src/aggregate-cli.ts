import { stageMain } from '@imp/artifacts';
import { aggregateStage } from './aggregate-stage.ts';

await stageMain(aggregateStage);
