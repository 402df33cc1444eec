export * from './session.ts';
export * from './password.ts';
