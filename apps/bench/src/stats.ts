/** Latency summary in milliseconds (nearest-rank percentiles). */
export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function rank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Summarises latency samples (ms); percentiles are NaN-free only when there is at least one sample. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    p50: round(rank(sorted, 50)),
    p95: round(rank(sorted, 95)),
    p99: round(rank(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
  };
}

/** Wall-clock milliseconds shared by every process on this machine (edit stamps, receive times). */
export const clock = (): number => performance.timeOrigin + performance.now();
