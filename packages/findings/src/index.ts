export * from './stage.ts';
export { describe, tQuantile, tCdf, type Stat } from './stats.ts';
export { aggregate, experimentScalars, EXPERIMENT_METRICS } from './aggregate.ts';
