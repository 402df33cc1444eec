import type { BenchContext } from '../context.ts';
import { yjsUnavailable } from '../context.ts';
import type { YjsOpenResult } from '../protocol.ts';
import type { ResultRow, ScenarioResult } from '../results.ts';
import { startBaseline, type ServerProcess } from '../servers.ts';
import { summarize } from '../stats.ts';
import { baselineRooms, host, roomsWithGuests } from './setup.ts';
import type { Room } from './yjsLoad.ts';

const RATIO_TARGET = 2;
const TARGET = `p99 time to first sync ≤ ${RATIO_TARGET}× the stock server's, everyone synced`;

let sessionSeq = 0;

/** Opens every client of a room at the same moment; answers the times to first sync. */
async function joinAtOnce(ctx: BenchContext, server: ServerProcess, room: Room): Promise<{ syncMs: number[]; failures: string[] }> {
  const { pool } = ctx;
  const session = `join${++sessionSeq}`;
  const perWorker = Array.from({ length: pool.size }, (_, w) =>
    room.cookies.filter((_, i) => i % pool.size === w).map((cookie) => ({ meetingId: room.meetingId, cookie })),
  );
  try {
    const opened = await pool.each<YjsOpenResult>((w) => ({
      kind: 'yjs.open',
      session,
      yjsUrl: server.yjsUrl,
      clients: perWorker[w]!,
      // All at once: the gate sees the whole room arrive together.
      concurrency: perWorker[w]!.length,
      timeoutMs: 60_000,
    }));
    return { syncMs: opened.flatMap((o) => o?.syncMs ?? []), failures: opened.flatMap((o) => o?.failures ?? []) };
  } finally {
    await pool.each(() => ({ kind: 'yjs.close', session }));
  }
}

/**
 * A room of N tablets scanning the QR code together: every stock provider connects at the same
 * moment to a meeting nobody has open yet, and the time from connecting to the first sync is
 * measured, on yishi (session, access and load at the upgrade gate) beside the stock
 * @y/websocket-server (no authentication, memory only), in the same run.
 */
export async function join(ctx: BenchContext): Promise<ScenarioResult> {
  const { clients, rounds } = ctx.options.sizes.join;
  const owner = await host(ctx);
  const rows: ResultRow[] = [];
  const baseline = await startBaseline();
  const ours: number[] = [];
  const theirs: number[] = [];
  const failures: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const [room] = await roomsWithGuests(ctx, owner, 1, clients, `入会 ${round + 1}`);
      const unavailable = await yjsUnavailable(ctx.yishi.yjsUrl, room!.meetingId, room!.cookies[0]!);
      if (unavailable) return { scenario: 'join', status: 'unavailable', reason: unavailable, target: TARGET, verdict: 'n/a', verdictNote: '', rows };
      // yjsUnavailable opened the room; let it unload so the room arrives at a cold meeting.
      await new Promise((r) => setTimeout(r, 500));
      const b = await joinAtOnce(ctx, baseline, baselineRooms([room!])[0]!);
      theirs.push(...b.syncMs);
      const y = await joinAtOnce(ctx, ctx.yishi, room!);
      ours.push(...y.syncMs);
      failures.push(...y.failures, ...b.failures);
      ctx.log(`join round ${round + 1}: yishi p99 ${summarize(y.syncMs).p99} ms, baseline p99 ${summarize(b.syncMs).p99} ms`);
    }
  } finally {
    await baseline.stop();
  }
  const label = `${clients} tablets at once`;
  const expected = clients * rounds;
  const oursSummary = summarize(ours);
  const theirsSummary = summarize(theirs);
  const ratio = Math.round((oursSummary.p99 / theirsSummary.p99) * 100) / 100;
  rows.push({ case: label, server: 'baseline', latency: theirsSummary, extra: { synced: theirs.length, expected } });
  rows.push({ case: label, server: 'yishi', latency: oursSummary, extra: { synced: ours.length, expected, p99Ratio: ratio, ...(failures[0] ? { failure: failures[0] } : {}) } });
  const met = ratio <= RATIO_TARGET && ours.length === expected;
  return {
    scenario: 'join',
    status: 'ok',
    target: TARGET,
    verdict: met ? 'met' : 'missed',
    verdictNote: `first sync p99 ${oursSummary.p99} ms vs baseline ${theirsSummary.p99} ms (ratio ${ratio}); ${ours.length}/${expected} synced`,
    rows,
  };
}
