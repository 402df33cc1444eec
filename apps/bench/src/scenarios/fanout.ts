import type { BenchContext } from '../context.ts';
import { yjsUnavailable } from '../context.ts';
import type { ResultRow, ScenarioResult } from '../results.ts';
import { startBaseline } from '../servers.ts';
import { baselineRooms, host, roomsWithGuests } from './setup.ts';
import { measureYjs } from './yjsLoad.ts';

const P99_TARGET_MS = 25;
const TARGET = `p99 ≤ ${P99_TARGET_MS} ms at the largest size; p99 ratio yishi/baseline ≤ 1.0; nothing missing`;

/** One meeting, one typist, N-1 receivers; yishi beside the stock @y/websocket-server 0.1.1. */
export async function fanout(ctx: BenchContext): Promise<ScenarioResult> {
  const { clients, rate, seconds, warmupSeconds } = ctx.options.sizes.fanout;
  const owner = await host(ctx);
  const rows: ResultRow[] = [];
  const baseline = await startBaseline();
  let unavailable: string | null = null;
  try {
    for (const n of clients) {
      const label = `${n} clients`;
      const rooms = await roomsWithGuests(ctx, owner, 1, n, `扇出 ${n}`);
      rows.push(await measureYjs(ctx, baseline, label, { rooms: baselineRooms(rooms), rate, seconds, warmupSeconds, staggered: false }));
      unavailable ??= await yjsUnavailable(ctx.yishi.yjsUrl, rooms[0]!.meetingId, rooms[0]!.cookies[0]!);
      if (!unavailable) rows.push(await measureYjs(ctx, ctx.yishi, label, { rooms, rate, seconds, warmupSeconds, staggered: false }));
    }
  } finally {
    await baseline.stop();
  }
  if (unavailable) {
    return { scenario: 'fanout', status: 'unavailable', reason: unavailable, target: TARGET, verdict: 'n/a', verdictNote: 'baseline only', rows };
  }

  const notes: string[] = [];
  let met = true;
  for (const n of clients) {
    const ours = rows.find((r) => r.server === 'yishi' && r.case === `${n} clients`)!;
    const theirs = rows.find((r) => r.server === 'baseline' && r.case === `${n} clients`)!;
    const ratio = ours.latency!.p99 / theirs.latency!.p99;
    ours.extra.p99Ratio = Math.round(ratio * 100) / 100;
    if (!(ratio <= 1)) {
      met = false;
      notes.push(`${n} clients: p99 ${ours.latency!.p99} ms vs baseline ${theirs.latency!.p99} ms (ratio ${ours.extra.p99Ratio})`);
    }
    if (ours.extra.missing !== 0 || ours.extra.synced !== n) {
      met = false;
      notes.push(`${n} clients: ${ours.extra.synced}/${n} synced, ${ours.extra.missing} deliveries missing`);
    }
  }
  const largest = rows.filter((r) => r.server === 'yishi').at(-1)!;
  if (!(largest.latency!.p99 <= P99_TARGET_MS)) {
    met = false;
    notes.push(`${largest.case}: p99 ${largest.latency!.p99} ms > ${P99_TARGET_MS} ms`);
  }
  return {
    scenario: 'fanout',
    status: 'ok',
    target: TARGET,
    verdict: met ? 'met' : 'missed',
    verdictNote: met ? `p99 ${largest.latency!.p99} ms at ${largest.case}, ratio ${largest.extra.p99Ratio}` : notes.join('; '),
    rows,
  };
}
