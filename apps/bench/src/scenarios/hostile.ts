import { joinAsGuest } from '../api.ts';
import type { BenchContext } from '../context.ts';
import type { FloodCounts } from '../clients/flood.ts';
import type { ResultRow, ScenarioResult } from '../results.ts';
import { summarize } from '../stats.ts';
import { host, roomsWithGuests } from './setup.ts';
import { measureYjs } from './yjsLoad.ts';

const HEALTH_P99_MS = 50;
const TARGET = `/healthz p99 ≤ ${HEALTH_P99_MS} ms while one guest floods; honest edits keep arriving`;

/** Polls /healthz every `everyMs` until stopped; answers the response times. */
function sampleHealth(url: string, everyMs: number): { stop: () => Promise<{ ms: number[]; failed: number }> } {
  const ms: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/healthz`);
        await res.arrayBuffer();
        if (res.ok) ms.push(performance.now() - started);
        else failed++;
      } catch {
        failed++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ms, failed };
    },
  };
}

/**
 * One room of honest tablets typing, and /healthz polled, first quietly, then while one guest of
 * the same meeting floods with everything a stock client can send (clients/flood.ts). Reports the
 * health check's and the honest edits' latency in both phases.
 */
export async function hostile(ctx: BenchContext): Promise<ScenarioResult> {
  const { clients, rate, seconds, warmupSeconds } = ctx.options.sizes.hostile;
  const owner = await host(ctx);
  const [room] = await roomsWithGuests(ctx, owner, 1, clients, '压力测试');
  const meeting = await owner.client.json<{ joinCode: string }>('GET', `/api/meetings/${room!.meetingId}`);
  const attacker = await joinAsGuest(ctx.yishi.url, meeting.joinCode, '捣乱者');
  const load = { rooms: [room!], rate, seconds, warmupSeconds, staggered: false };
  const rows: ResultRow[] = [];

  const quietHealth = sampleHealth(ctx.yishi.url, 20);
  const quiet = await measureYjs(ctx, ctx.yishi, 'quiet: edits', load);
  const quietChecks = await quietHealth.stop();

  const floodHealth = sampleHealth(ctx.yishi.url, 20);
  const flooding = ctx.pool.run<FloodCounts>(0, {
    kind: 'hostile.flood',
    url: ctx.yishi.url,
    yjsUrl: ctx.yishi.yjsUrl,
    meetingId: room!.meetingId,
    cookie: attacker.cookie,
    seconds: warmupSeconds + seconds + 2,
  });
  const flooded = await measureYjs(ctx, ctx.yishi, 'flood: edits', load);
  const floodChecks = await floodHealth.stop();
  const counts = await flooding;
  const alive = (await fetch(`${ctx.yishi.url}/healthz`)).ok;

  const quietSummary = summarize(quietChecks.ms);
  const floodSummary = summarize(floodChecks.ms);
  rows.push(quiet, { case: 'quiet: /healthz', server: 'yishi', latency: quietSummary, extra: { failed: quietChecks.failed } });
  rows.push(flooded, {
    case: 'flood: /healthz',
    server: 'yishi',
    latency: floodSummary,
    extra: { failed: floodChecks.failed, ...counts, editP99Ratio: Math.round((flooded.latency!.p99 / quiet.latency!.p99) * 100) / 100 },
  });
  const met = alive && floodSummary.p99 <= HEALTH_P99_MS && floodChecks.failed === 0 && flooded.extra.missing === 0 && counts.unrefused === 0;
  return {
    scenario: 'hostile',
    status: 'ok',
    target: TARGET,
    verdict: met ? 'met' : 'missed',
    verdictNote:
      `/healthz p99 ${floodSummary.p99} ms under flood (quiet ${quietSummary.p99} ms); honest edit p99 ${flooded.latency!.p99} ms under flood (quiet ${quiet.latency!.p99} ms), ` +
      `${flooded.extra.missing} missing; the guest sent ${counts.awarenessQueries} awareness queries, ${counts.badFrames} bad frames (${counts.deepUpdates} deep trees, ${counts.unrefused} not refused), ` +
      `${counts.socketEvents} socket.io events over ${counts.socketConnections} connections, ${counts.joinGuesses} join guesses`,
    rows,
  };
}
