/**
 * Stage definitions of this package (light module: the Nx plugin imports it to plan).
 * `aggregate` makes statistics over the seeds of one experiment; `findings` reads the
 * paper's claims off the aggregates of several experiments.
 */
export { aggregateStage, AggregateConfig } from './aggregate-stage.ts';
export { findingsStage, FindingsConfig } from './findings-stage.ts';
import { aggregateStage } from './aggregate-stage.ts';
import { findingsStage } from './findings-stage.ts';
export const stages = [aggregateStage, findingsStage];
