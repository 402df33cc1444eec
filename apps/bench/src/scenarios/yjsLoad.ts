import type { BenchContext } from '../context.ts';
import type { YjsClientSpec, YjsDrainResult, YjsOpenResult, YjsTypeResult } from '../protocol.ts';
import type { ResultRow } from '../results.ts';
import { ResourceSampler } from '../procstat.ts';
import type { ServerProcess } from '../servers.ts';
import { summarize } from '../stats.ts';

/** One meeting's clients (cookies; empty for the baseline). The first client types. */
export interface Room {
  meetingId: string;
  cookies: string[];
}

export interface YjsLoad {
  rooms: Room[];
  /** Probes per second per typist. */
  rate: number;
  seconds: number;
  /** Seconds of typing before the measured phase (JIT, buffers, first loads); not counted. */
  warmupSeconds: number;
  /** Spread typists' first edits over one interval so rooms do not edit in lockstep. */
  staggered: boolean;
}

let sessionSeq = 0;

/**
 * Connects every client through the workers (a room's clients alternate between workers, so
 * most deliveries cross processes), lets each room's first client type probes, and measures
 * edit→receive latency at every other client, plus the server's CPU and RSS.
 */
export async function measureYjs(ctx: BenchContext, server: ServerProcess, label: string, load: YjsLoad): Promise<ResultRow> {
  const { pool } = ctx;
  const session = `yjs${++sessionSeq}`;
  const perWorker: YjsClientSpec[][] = Array.from({ length: pool.size }, () => []);
  const typists: { index: number; offsetMs: number }[][] = Array.from({ length: pool.size }, () => []);
  const interval = 1000 / load.rate;
  load.rooms.forEach((room, r) => {
    room.cookies.forEach((cookie, j) => {
      const w = (r + j) % pool.size;
      if (j === 0) typists[w]!.push({ index: perWorker[w]!.length, offsetMs: load.staggered ? Math.random() * interval : 0 });
      perWorker[w]!.push({ meetingId: room.meetingId, cookie });
    });
  });
  const total = load.rooms.reduce((n, r) => n + r.cookies.length, 0);

  const overall = new ResourceSampler(server.pid);
  try {
    const opened = await pool.each<YjsOpenResult>((w) => ({
      kind: 'yjs.open',
      session,
      yjsUrl: server.yjsUrl,
      clients: perWorker[w]!,
      concurrency: 50,
      timeoutMs: 60_000,
    }));
    const synced = opened.reduce((n, o) => n + (o?.synced ?? 0), 0);
    const failures = opened.flatMap((o) => o?.failures ?? []);
    const syncMs = summarize(opened.flatMap((o) => o?.syncMs ?? []));
    ctx.log(`${label} on ${server.name}: ${synced}/${total} clients synced (sync p99 ${syncMs.p99} ms)${failures.length ? `; e.g. ${failures[0]}` : ''}`);

    /** Types for `seconds`, waits for the deliveries, returns what was sent and received. */
    const phase = async (seconds: number) => {
      const typed = await pool.each<YjsTypeResult>((w) =>
        typists[w]!.length ? { kind: 'yjs.type', session, typists: typists[w]!, rate: load.rate, seconds } : null,
      );
      const sentByMeeting: Record<string, number> = {};
      let sent = 0;
      typed.forEach((t, w) =>
        t?.sent.forEach((count, i) => {
          const client = perWorker[w]![typists[w]![i]!.index]!;
          sentByMeeting[client.meetingId] = (sentByMeeting[client.meetingId] ?? 0) + count;
          sent += count;
        }),
      );
      const drained = await pool.each<YjsDrainResult>(() => ({ kind: 'yjs.drain', session, sentByMeeting, timeoutMs: 10_000 }));
      return { sent, drained };
    };
    if (load.warmupSeconds > 0) await phase(load.warmupSeconds);
    const typing = new ResourceSampler(server.pid);
    const { sent, drained } = await phase(load.seconds);
    const usage = typing.stop();
    const expected = drained.reduce((n, d) => n + (d?.expected ?? 0), 0);
    const received = drained.reduce((n, d) => n + (d?.received ?? 0), 0);
    const latencies = drained.flatMap((d) => (d ? Array.from(d.latencies) : []));
    const rss = overall.stop();
    return {
      case: label,
      server: server.name,
      latency: summarize(latencies),
      throughput: { value: Math.round(received / load.seconds), unit: 'deliveries/s' },
      usage: { ...usage, rssMaxMb: rss.rssMaxMb },
      extra: {
        clients: total,
        synced,
        edits: sent,
        expected,
        received,
        missing: Math.max(0, expected - received),
        syncP99Ms: syncMs.p99,
        ...(failures[0] ? { failure: failures[0] } : {}),
      },
    };
  } finally {
    overall.stop();
    await pool.each(() => ({ kind: 'yjs.close', session }));
  }
}
