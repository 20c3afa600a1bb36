export * from './experiment-schema.ts';
export * from './load-experiment.ts';
export * from './registry.ts';
export * from './stage-handle.ts';
export * from './plan.ts';
export * from './execute-task.ts';
export * from './status.ts';
export * from './nx-nodes.ts';
