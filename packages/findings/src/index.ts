export * from './stage.ts';
export { describe, tQuantile, tCdf, type Stat } from './stats.ts';
export { aggregate, experimentScalars, EXPERIMENT_METRICS } from './aggregate.ts';
export { Claim, Claims, Effect, Rule, claimedExperiments, experimentsOf } from './claims.ts';
export { evaluateClaim, ruleText, verdictOf, type Finding, type Verdict } from './effects.ts';
