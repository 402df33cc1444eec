export * from './csv.ts';
export * from './household.ts';
export * from './units.ts';
export * from './ranking.ts';
export * from './campaigns.ts';
