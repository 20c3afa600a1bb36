export * from './errors.ts';
export * from './decode.ts';
export * from './skimage.ts';
export * from './folder.ts';
export * from './patches.ts';
export * from './photo-source.ts';
export * from './source.ts';
