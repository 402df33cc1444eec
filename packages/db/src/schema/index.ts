export * from './core.ts';
export * from './yjs.ts';
export * from './followups.ts';
export * from './polls.ts';
export * from './room.ts';
export * from './ideas.ts';
export * from './draws.ts';
export * from './owners.ts';
