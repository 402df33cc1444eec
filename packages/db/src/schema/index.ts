export * from './core.ts';
export * from './yjs.ts';
