/**
 * Stage definitions of this package (light module: the Nx plugin imports it to plan).
 * `report` renders one analysis artifact; `compare` renders several side by side;
 * `findings-page` renders a findings artifact (the paper's claims as verdicts).
 */
export { reportStage, ReportConfig } from './report-stage.ts';
export { compareStage, CompareConfig, DEFAULT_KEY_FIGURES } from './compare-stage.ts';
export { findingsPageStage, FindingsPageConfig } from './findings-page.ts';
import { reportStage } from './report-stage.ts';
import { compareStage } from './compare-stage.ts';
import { findingsPageStage } from './findings-page.ts';
export const stages = [reportStage, compareStage, findingsPageStage];
