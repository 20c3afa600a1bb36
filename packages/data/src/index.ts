export * from './types.ts';
export * from './define.ts';
export * from './stage.ts';
export * from './normalization.ts';
export * from './sources/index.ts';
export * from './transforms/index.ts';
export * from './formats/idx.ts';
