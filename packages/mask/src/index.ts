export { maskStage, MaskConfig } from './stage.ts';
export * from './prune.ts';
export { parseArch, type ArchLayer } from '@imp/artifacts';
