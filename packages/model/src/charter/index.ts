export * from './split.ts';
export * from './diff.ts';
export * from './fixtures.ts';
