export { analysisStage } from './stage.ts';
export { analysisConfigSchema, type AnalysisConfig } from './config.ts';
export * from './smap.ts';
export * from './connectivity.ts';
export * from './measures.ts';
export { MaskedMlp, type LayerParams } from './forward.ts';
