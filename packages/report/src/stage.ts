/**
 * Stage definitions of this package (light module: the Nx plugin imports it to plan).
 * `report` renders one analysis artifact; `compare` renders several side by side.
 */
export { reportStage, ReportConfig } from './report-stage.ts';
export { compareStage, CompareConfig, DEFAULT_KEY_FIGURES } from './compare-stage.ts';
import { reportStage } from './report-stage.ts';
import { compareStage } from './compare-stage.ts';
export const stages = [reportStage, compareStage];
