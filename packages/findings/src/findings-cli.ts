import { stageMain } from '@imp/artifacts';
import { findingsStage } from './findings-stage.ts';

await stageMain(findingsStage);
