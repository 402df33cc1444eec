import { z } from 'zod';

/** The scenarios, in the order they run and print. */
export const SCENARIOS = ['fanout', 'join', 'hostile', 'rooms', 'votes', 'coldLoad', 'minutes', 'ideas', 'ranking', 'firstLoad', 'editorLatency'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const latency = z.object({
  n: z.number().int().nonnegative(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
  mean: z.number(),
});

const usage = z.object({
  cpuSeconds: z.number(),
  cpuPercent: z.number(),
  rssMaxMb: z.number(),
  wallSeconds: z.number(),
});

/** One printed line: a case of a scenario against one server. */
export const resultRow = z.object({
  case: z.string(),
  server: z.enum(['yishi', 'baseline']),
  latency: latency.optional(),
  throughput: z.object({ value: z.number(), unit: z.string() }).optional(),
  usage: usage.optional(),
  /** Scenario-specific counters (connected, lost, duplicated, ...). */
  extra: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
});
export type ResultRow = z.infer<typeof resultRow>;

export const scenarioResult = z.object({
  scenario: z.enum(SCENARIOS),
  status: z.enum(['ok', 'unavailable', 'error']),
  /** Why a scenario is unavailable or failed. */
  reason: z.string().optional(),
  target: z.string(),
  verdict: z.enum(['met', 'missed', 'n/a']),
  /** How the verdict was reached, with the numbers. */
  verdictNote: z.string(),
  rows: z.array(resultRow),
});
export type ScenarioResult = z.infer<typeof scenarioResult>;

/** The JSON file written for every run. */
export const benchResults = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  mode: z.enum(['quick', 'full']),
  database: z.enum(['pglite', 'postgres']),
  machine: z.object({ cpus: z.number(), node: z.string(), loadAverage: z.array(z.number()) }),
  scenarios: z.array(scenarioResult),
});
export type BenchResults = z.infer<typeof benchResults>;

export type ResourceUsageDto = z.infer<typeof usage>;
