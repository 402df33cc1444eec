export * from './session.ts';
export * from './password.ts';
export * from './throttle.ts';
