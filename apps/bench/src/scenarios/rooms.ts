import type { BenchContext } from '../context.ts';
import { yjsUnavailable } from '../context.ts';
import type { ResultRow, ScenarioResult } from '../results.ts';
import { startBaseline } from '../servers.ts';
import { baselineRooms, host, roomsWithGuests } from './setup.ts';
import { measureYjs } from './yjsLoad.ts';

const RSS_TARGET_MB = 1536;
const P99_TARGET_MS = 50;
const TARGET = `all connected, RSS ≤ ${RSS_TARGET_MB} MB, p99 ≤ ${P99_TARGET_MS} ms`;

/** Many meetings at once, each with a light typist: connections, memory and latency under breadth. */
export async function rooms(ctx: BenchContext): Promise<ScenarioResult> {
  const { meetings, clientsPerMeeting, rate, seconds, warmupSeconds } = ctx.options.sizes.rooms;
  const label = `${meetings}×${clientsPerMeeting}`;
  const owner = await host(ctx);
  const rooms = await roomsWithGuests(ctx, owner, meetings, clientsPerMeeting, '樓長有話說');
  const rows: ResultRow[] = [];
  const baseline = await startBaseline();
  try {
    rows.push(await measureYjs(ctx, baseline, label, { rooms: baselineRooms(rooms), rate, seconds, warmupSeconds, staggered: true }));
  } finally {
    await baseline.stop();
  }
  const unavailable = await yjsUnavailable(ctx.yishi.yjsUrl, rooms[0]!.meetingId, rooms[0]!.cookies[0]!);
  if (unavailable) return { scenario: 'rooms', status: 'unavailable', reason: unavailable, target: TARGET, verdict: 'n/a', verdictNote: 'baseline only', rows };

  const ours = await measureYjs(ctx, ctx.yishi, label, { rooms, rate, seconds, warmupSeconds, staggered: true });
  rows.push(ours);
  const total = meetings * clientsPerMeeting;
  const notes: string[] = [];
  if (ours.extra.synced !== total) notes.push(`${ours.extra.synced}/${total} connected`);
  if (ours.extra.missing !== 0) notes.push(`${ours.extra.missing} deliveries missing`);
  if (!(ours.usage!.rssMaxMb <= RSS_TARGET_MB)) notes.push(`RSS ${ours.usage!.rssMaxMb} MB > ${RSS_TARGET_MB} MB`);
  if (!(ours.latency!.p99 <= P99_TARGET_MS)) notes.push(`p99 ${ours.latency!.p99} ms > ${P99_TARGET_MS} ms`);
  return {
    scenario: 'rooms',
    status: 'ok',
    target: TARGET,
    verdict: notes.length ? 'missed' : 'met',
    verdictNote: notes.length ? notes.join('; ') : `${total} connected, RSS ${ours.usage!.rssMaxMb} MB, p99 ${ours.latency!.p99} ms`,
    rows,
  };
}
