export * from './enums.ts';
export * from './locale.ts';
export * from './joinCode.ts';
export * from './errors.ts';
export * from './api.ts';
