// First: configures zod before any schema of the model is built (see zodConfig.ts).
import './zodConfig.ts';
export * from './enums.ts';
export * from './locale.ts';
export * from './joinCode.ts';
export * from './errors.ts';
export * from './api.ts';
export * from './polls.ts';
export * from './followups.ts';
export * from './labels.ts';
export * from './doc/index.ts';
export * from './room.ts';
export * from './pages.ts';
export * from './ideas/index.ts';
export * from './draw/index.ts';
export * from './charter/index.ts';
