import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { count, eq } from 'drizzle-orm';
import { pollBallots, pollVoters } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import type { ClientToServerEvents, ElectionResult, Mark, PollDto, ServerToClientEvents } from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, type TestContext, socketClients } from '../testing.ts';
import { createSocketLayer } from './socket.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let ctx: TestContext;
let url: string;
let close: () => Promise<void>;
const { entered, sockets } = socketClients<Client>(() => url);

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [createSocketLayer({ ballots: { windowMs: 20, maxBatch: 64 } })]);
  url = server.url;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await close();
  await ctx.dispose();
});

const ballotsOf = async (pollId: string) => (await ctx.deps.db.select({ n: count() }).from(pollBallots).where(eq(pollBallots.pollId, pollId)))[0]!.n;
const marksOf = async (pollId: string) => (await ctx.deps.db.select({ n: count() }).from(pollVoters).where(eq(pollVoters.pollId, pollId)))[0]!.n;
/** The poll:state that announces the poll closed. */
function closedState(socket: Client, pollId: string): Promise<PollDto> {
  return new Promise((resolve) => {
    const listener = ({ poll }: { poll: PollDto }) => {
      if (poll.id !== pollId || poll.status !== 'closed') return;
      socket.off('poll:state', listener);
      resolve(poll);
    };
    socket.on('poll:state', listener);
  });
}

/** Ballots with these yes counts per candidate, at most `seats` yes each (each yes goes to the emptiest ballot). */
function marksBallots(ids: string[], votes: number[], n: number): Record<string, Mark>[] {
  const ballots: Record<string, Mark>[] = Array.from({ length: n }, () => ({}));
  ids.forEach((id, i) => {
    const order = ballots.map((b, k) => ({ k, yes: Object.values(b).filter((m) => m === 'yes').length })).sort((a, b) => a.yes - b.yes || a.k - b.k);
    order.forEach(({ k }, j) => (ballots[k]![id] = j < votes[i]! ? 'yes' : j % 3 === 0 ? 'abstain' : 'no'));
  });
  return ballots;
}

const candidates = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄'].map((label, i) => (i % 2 === 0 ? { label, groups: ['party'] } : { label }));

describe(`elections with rules over socket.io on ${testDriver}`, () => {
  it('5 of 8, at least 2/3 party members, majority of ballots cast: marks ballots, too many 赞成 refused, close, further round', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guests = [];
    for (let i = 0; i < 9; i++) guests.push(await joinedGuest(ctx.app, meeting.joinCode, `居民${i + 1}`));
    const hostSocket = await entered(host.client, meeting.id);
    const tablets = [hostSocket, ...(await Promise.all(guests.map((g) => entered(g.client, meeting.id))))];

    // Bad rules are refused in the reader's language and create nothing.
    const en = await entered(host.client, meeting.id, '; PARAGLIDE_LOCALE=en');
    const base = { meetingId: meeting.id, kind: 'election' as const, title: '选举居民议事会成员', seats: 5, secret: true };
    const impossible = await en.emitWithAck('poll:create', { ...base, options: candidates, ballot: 'marks', rules: [{ group: 'party', atLeast: 5 }] });
    expect(impossible).toMatchObject({ ok: false, error: { code: 'invalid_input', message: 'Please check: composition rules' } });
    const both = await hostSocket.emitWithAck('poll:create', { ...base, options: candidates, rules: [{ group: 'party', atLeast: 2, atLeastFraction: 0.5 }] });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid_input', message: '输入有误，请检查：当选人构成要求' } });
    const onMotion = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: '动议', secret: true, ballot: 'marks' });
    expect(onMotion).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await hostSocket.emitWithAck('poll:list', { meetingId: meeting.id })).toMatchObject({ ok: true, polls: [] });

    const created = await hostSocket.emitWithAck('poll:create', {
      ...base,
      options: candidates,
      ballot: 'marks',
      threshold: 'majority-cast',
      rules: [{ group: 'party', atLeastFraction: 2 / 3 }],
    });
    if (!created.ok) throw new Error(created.error.message);
    const pollId = created.poll.id;
    expect(created.poll).toMatchObject({ ballot: 'marks', threshold: 'majority-cast', rules: [{ group: 'party', atLeastFraction: 2 / 3 }], seats: 5 });
    expect(created.poll.options[0]).toEqual({ id: 'o1', label: '张', groups: ['party'] });
    expect(created.poll.options[1]).toEqual({ id: 'o2', label: '王' });
    expect(created.poll.warnings).toBeUndefined();
    expect((await hostSocket.emitWithAck('poll:open', { pollId })).ok).toBe(true);

    // Six 赞成 marks for five seats: refused, nothing stored, and the voter can still vote.
    const ids = created.poll.options.map((o) => o.id);
    const tooMany = await tablets[1]!.emitWithAck('poll:vote', { pollId, choice: Object.fromEntries(ids.map((id, i) => [id, i < 6 ? 'yes' : 'no'])) });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'too_many_yes', message: '赞成的人数超过了应选名额（5 名），请改投反对或弃权。选票没有提交。' } });
    const plurality = await tablets[1]!.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o2'] });
    expect(plurality).toMatchObject({ ok: false, error: { code: 'invalid_choice' } });
    expect(await ballotsOf(pollId)).toBe(0);
    expect(await marksOf(pollId)).toBe(0);

    // 10 ballots: 赞成 9 8 7 6 5 4 3 2; party members are the 1st, 3rd, 5th and 7th.
    const ballots = marksBallots(ids, [9, 8, 7, 6, 5, 4, 3, 2], 10);
    const acks = await Promise.all(tablets.map((t, i) => t.emitWithAck('poll:vote', { pollId, choice: ballots[i]! })));
    expect(acks.every((a) => a.ok)).toBe(true);

    const seen = closedState(tablets[3]!, pollId);
    const closed = await hostSocket.emitWithAck('poll:close', { pollId });
    if (!closed.ok) throw new Error(closed.error.message);
    const result = closed.poll.result as ElectionResult;
    expect(result.counts).toEqual({ o1: 9, o2: 8, o3: 7, o4: 6, o5: 5, o6: 4, o7: 3, o8: 2 });
    expect(result.needed).toBe(6);
    // The 4th is passed over (it would leave 1 seat for 2 more party members); 5th–8th are below half.
    expect(result.elected).toEqual(['o1', 'o2', 'o3']);
    expect(result.unfilled).toBe(2);
    expect(result.tie).toEqual([]);
    expect(result.notes).toContainEqual({ code: 'rule', option: 'o4', group: 'party', need: 2, seatsLeft: 1 });
    expect(result.notes).toContainEqual({ code: 'below-threshold', option: 'o5', votes: 5, needed: 6 });
    expect(result.notes).toContainEqual({ code: 'rule-open', group: 'party', need: 2, seats: 2 });
    expect(result.marks!.o1!.yes + result.marks!.o1!.no + result.marks!.o1!.abstain).toBe(10);
    expect((await seen).result).toEqual(closed.poll.result);
    expect(await ballotsOf(pollId)).toBe(10);

    // Only the host or secretary, and only for a closed election with open seats.
    expect(await tablets[2]!.emitWithAck('poll:runoff', { pollId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const runoff = await hostSocket.emitWithAck('poll:runoff', { pollId });
    if (!runoff.ok) throw new Error(runoff.error.message);
    expect(runoff.poll).toMatchObject({
      status: 'draft',
      kind: 'election',
      runoffOf: pollId,
      seats: 2,
      ballot: 'marks',
      threshold: 'majority-cast',
      rules: [{ group: 'party', atLeast: 2 }],
      secret: true,
    });
    expect(runoff.poll.options).toEqual([
      { id: 'o1', label: '赵' },
      { id: 'o2', label: '陈', groups: ['party'] },
      { id: 'o3', label: '刘' },
      { id: 'o4', label: '杨', groups: ['party'] },
      { id: 'o5', label: '黄' },
    ]);
    // Asked again (a retry), the same further round; the first poll still closed with its result.
    const again = await hostSocket.emitWithAck('poll:runoff', { pollId });
    expect(again.ok && again.poll.id).toBe(runoff.poll.id);
    const list = await hostSocket.emitWithAck('poll:list', { meetingId: meeting.id });
    expect(list.ok && list.polls.map((p) => [p.id, p.status, p.runoffOf ?? null])).toEqual([
      [pollId, 'closed', null],
      [runoff.poll.id, 'draft', pollId],
    ]);
    expect(await hostSocket.emitWithAck('poll:runoff', { pollId: runoff.poll.id })).toMatchObject({ ok: false, error: { code: 'runoff_unavailable' } });
  });

  it('差额: no more candidates than seats is created with a warning for the host; plurality elections are unchanged', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const hostSocket = await entered(host.client, meeting.id);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '居民');
    const watcher = await entered(guest.client, meeting.id);
    const broadcast = new Promise<PollDto>((resolve) => watcher.once('poll:state', ({ poll }) => resolve(poll)));
    const created = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'election', title: '等额选举', options: ['甲', '乙'], seats: 2, secret: false });
    expect(created).toMatchObject({ ok: true, poll: { warnings: ['not-competitive'], status: 'draft' } });
    expect((await broadcast).warnings).toBeUndefined();
    if (!created.ok) return;
    expect(created.poll.ballot).toBeUndefined();
    expect((await hostSocket.emitWithAck('poll:open', { pollId: created.poll.id, confirmSmallGroup: true })).ok).toBe(true);
    expect((await hostSocket.emitWithAck('poll:vote', { pollId: created.poll.id, choice: { o1: 'yes' } })).ok).toBe(false);
    expect((await hostSocket.emitWithAck('poll:vote', { pollId: created.poll.id, choice: ['o1', 'o2'] })).ok).toBe(true);
    expect((await watcher.emitWithAck('poll:vote', { pollId: created.poll.id, choice: ['o1'] })).ok).toBe(true);
    const closed = await hostSocket.emitWithAck('poll:close', { pollId: created.poll.id });
    expect(closed).toMatchObject({ ok: true, poll: { result: { counts: { o1: 2, o2: 1 }, elected: ['o1', 'o2'], tie: [], unfilled: 0, notes: [] } } });
    expect(await hostSocket.emitWithAck('poll:runoff', { pollId: created.poll.id })).toMatchObject({ ok: false, error: { code: 'runoff_unavailable' } });
  });
});
