export * from './cholesky.ts';
export * from './gaussian-clone.ts';
export * from './transform.ts';
