import type { PollDto } from '@yishi/model';
import { newMeeting } from '../api.ts';
import { connectLive, enterMeeting, facilitator } from '../clients/voter.ts';
import { socketUnavailable, type BenchContext } from '../context.ts';
import type { CastRecord, VotesCastResult, VotesOpenResult } from '../protocol.ts';
import { ResourceSampler } from '../procstat.ts';
import type { ScenarioResult } from '../results.ts';
import { clock, summarize } from '../stats.ts';
import { guests, host } from './setup.ts';

const ACK_P99_TARGET_MS = 300;
const TARGET = `0 lost, 0 duplicated, ack p99 ≤ ${ACK_P99_TARGET_MS} ms`;

/** What the published result says against what the voters were told. */
export interface BallotAudit {
  /** Voters whose first attempt was acknowledged. */
  acknowledged: number;
  /** Acknowledged receipts missing from the published receipts. */
  lost: number;
  /** Voters with more than one acknowledged ballot, plus published ballots nobody was told about. */
  duplicated: number;
  /** Voters none of whose attempts was acknowledged. */
  refused: number;
  countsMatch: boolean;
}

/** Checks the closed poll against every ack: the harness knows each acknowledged choice. */
export function auditBallots(casts: CastRecord[], poll: PollDto): BallotAudit {
  const okByVoter = new Map<number, CastRecord[]>();
  for (const c of casts) if (c.ok) okByVoter.set(c.voter, [...(okByVoter.get(c.voter) ?? []), c]);
  const published = new Set(poll.receipts ?? []);
  const acked = [...okByVoter.values()].flat();
  const lost = acked.filter((c) => !published.has(c.receipt!)).length;
  const doubled = [...okByVoter.values()].filter((list) => list.length > 1).length;
  const ballots = poll.result?.ballots ?? published.size;
  const expected: Record<string, number> = { yes: 0, no: 0, abstain: 0 };
  for (const c of acked) expected[c.choice] = (expected[c.choice] ?? 0) + 1;
  const counts = (poll.result as { counts?: Record<string, number> } | undefined)?.counts ?? {};
  return {
    acknowledged: okByVoter.size,
    lost,
    duplicated: doubled + Math.max(0, ballots - acked.length),
    refused: new Set(casts.map((c) => c.voter)).size - okByVoter.size,
    countsMatch: Object.keys(expected).every((k) => (counts[k] ?? 0) === expected[k]),
  };
}

/** A burst of secret ballots in one poll: every acknowledged ballot counted exactly once, fast. */
export async function votes(ctx: BenchContext): Promise<ScenarioResult> {
  const { voters, windowMs, duplicateShare } = ctx.options.sizes.votes;
  const unavailable = await socketUnavailable(ctx.yishi.url);
  if (unavailable) return { scenario: 'votes', status: 'unavailable', reason: unavailable, target: TARGET, verdict: 'n/a', verdictNote: '', rows: [] };

  const owner = await host(ctx);
  const meeting = await newMeeting(owner, '業委會增補表決');
  const joined = await guests(ctx, meeting.joinCode, voters);
  const chair = await connectLive(ctx.yishi.url, owner.client.cookieHeader());
  const { pool } = ctx;
  const session = 'votes';
  try {
    await enterMeeting(chair, meeting.id);
    const created = await facilitator.create(chair, { meetingId: meeting.id, kind: 'motion', title: '同意增補兩名業委會委員', secret: true, rule: 'majority' });
    const opened = await pool.each<VotesOpenResult>((w) => ({
      kind: 'votes.open',
      session,
      url: ctx.yishi.url,
      meetingId: meeting.id,
      voters: joined.map((g, index) => ({ index, cookie: g.cookie })).filter(({ index }) => index % pool.size === w),
      concurrency: 50,
    }));
    const entered = opened.reduce((n, o) => n + (o?.entered ?? 0), 0);
    const failures = opened.flatMap((o) => o?.failures ?? []);
    ctx.log(`votes: ${entered}/${voters} voters in the room${failures.length ? `; e.g. ${failures[0]}` : ''}`);
    // Issue 12: the same burst twice in one run, over the same sockets: a named poll (ballots stored
    // in plaintext, today's path before sealing) and then the secret one (sealed under the poll key).
    const plain = await facilitator.create(chair, { meetingId: meeting.id, kind: 'motion', title: '同意增補兩名業委會委員（記名對照）', secret: false, rule: 'majority' });
    const compared = await burst(plain.id, 'plaintext (named poll)');
    const sealed = await burst(created.id, 'sealed (secret poll)');
    const notes = sealed.notes.concat(compared.notes.map((n) => `plaintext: ${n}`));
    return {
      scenario: 'votes',
      status: 'ok',
      target: TARGET,
      verdict: sealed.notes.length ? 'missed' : 'met',
      verdictNote:
        (notes.length ? notes.join('; ') : `${sealed.row.extra.acknowledged} acknowledged, all counted once, ack p99 ${sealed.row.latency.p99} ms`) +
        ` (sealed p99 ${sealed.row.latency.p99} ms vs plaintext p99 ${compared.row.latency.p99} ms, same run)`,
      rows: [sealed.row, compared.row],
    };

    async function burst(pollId: string, label: string) {
      const poll = await facilitator.open(chair, pollId);

      const sampler = new ResourceSampler(ctx.yishi.pid);
      const startAt = clock() + 300;
      const cast = await pool.each<VotesCastResult>(() => ({ kind: 'votes.cast', session, pollId: poll.id, startAt, windowMs, duplicateShare }));
      const usage = sampler.stop();
      const casts = cast.flatMap((c) => c?.casts ?? []);
      const closed = await facilitator.close(chair, poll.id);
      const audit = auditBallots(casts, closed);

      const firsts = casts.filter((c) => !c.duplicate);
      const emitted = firsts.map((c) => c.at);
      const spanMs = emitted.length ? Math.max(...emitted) - Math.min(...emitted) : 0;
      const lastAck = Math.max(...casts.map((c) => c.at + c.ms));
      // A voter's two concurrent attempts race: either may be the one counted, the other must be refused.
      const refusedCodes = [...new Set(casts.filter((c) => !c.ok && !(c.code === 'already_voted')).map((c) => c.code))].slice(0, 3).join(', ');
      const latency = summarize(casts.filter((c) => c.ok).map((c) => c.ms));
      const row = {
        case: `${voters} voters, ${label}`,
        server: 'yishi' as const,
        latency,
        throughput: { value: Math.round(audit.acknowledged / ((lastAck - Math.min(...emitted)) / 1000)), unit: 'ballots/s' },
        usage,
        extra: {
          eligible: poll.turnout.eligible,
          entered,
          acknowledged: audit.acknowledged,
          lost: audit.lost,
          duplicated: audit.duplicated,
          refused: audit.refused,
          duplicateAttempts: casts.filter((c) => c.duplicate).length,
          countsMatch: audit.countsMatch,
          castSpanMs: Math.round(spanMs),
          ...(refusedCodes ? { refusedCodes } : {}),
        },
      };
      const notes: string[] = [];
      if (entered !== voters) notes.push(`${entered}/${voters} voters could enter`);
      if (audit.acknowledged !== voters) notes.push(`${audit.acknowledged}/${voters} acknowledged (${refusedCodes})`);
      if (audit.lost) notes.push(`${audit.lost} lost`);
      if (audit.duplicated) notes.push(`${audit.duplicated} duplicated`);
      if (!audit.countsMatch) notes.push('published counts differ from acknowledged choices');
      if (!(latency.p99 <= ACK_P99_TARGET_MS)) notes.push(`ack p99 ${latency.p99} ms > ${ACK_P99_TARGET_MS} ms`);
      return { row, notes };
    }
  } finally {
    chair.close();
    await pool.each(() => ({ kind: 'votes.close', session }));
  }
}
