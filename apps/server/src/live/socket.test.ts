import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { count, eq } from 'drizzle-orm';
import { pollBallots, pollVoters } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import type { ClientToServerEvents, PollDto, ServerToClientEvents } from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, TestClient, type TestContext, socketClients } from '../testing.ts';
import { createSocketLayer } from './socket.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let ctx: TestContext;
let url: string;
let close: () => Promise<void>;
const { connect, entered, sockets } = socketClients<Client>(() => url);

beforeAll(async () => {
  ctx = await createTestContext();
  // A wide batching window: concurrent votes share batches, as in a real room.
  const server = await listeningServer(ctx, [createSocketLayer({ ballots: { windowMs: 20, maxBatch: 64 }, rateLimit: { burst: 20, perSecond: 5 } })]);
  url = server.url;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await close();
  await ctx.dispose();
});

/** A real socket.io client with a browser's cookie; rejects when the handshake is refused. */


async function ballotsOf(pollId: string) {
  return (await ctx.deps.db.select({ n: count() }).from(pollBallots).where(eq(pollBallots.pollId, pollId)))[0]!.n;
}
async function marksOf(pollId: string) {
  return (await ctx.deps.db.select({ n: count() }).from(pollVoters).where(eq(pollVoters.pollId, pollId)))[0]!.n;
}

/** Waits for the next poll:state of a poll that satisfies `until`. */
function nextState(socket: Client, pollId: string, until: (poll: PollDto) => boolean): Promise<PollDto> {
  return new Promise((resolve) => {
    const listener = ({ poll }: { poll: PollDto }) => {
      if (poll.id !== pollId || !until(poll)) return;
      socket.off('poll:state', listener);
      resolve(poll);
    };
    socket.on('poll:state', listener);
  });
}

describe(`socket.io polls on ${testDriver}`, () => {
  it('refuses a handshake without a session or from a foreign Origin', async () => {
    await expect(connect('')).rejects.toThrow();
    await expect(connect('yishi_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).rejects.toThrow();
    const { host } = await meetingWithHost(ctx.app);
    await expect(connect(host.client.cookieHeader(), { origin: 'https://evil.example' })).rejects.toThrow();
    const ok = await connect(host.client.cookieHeader(), { origin: url });
    expect(ok.connected).toBe(true);
  });

  it('meeting:enter answers role and eligibility; another meeting is forbidden; bad payloads are explained in the reader’s language', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const other = await meetingWithHost(ctx.app);
    const socket = await connect(host.client.cookieHeader(), { 'accept-language': 'en' });
    expect(await socket.emitWithAck('meeting:enter', { meetingId: meeting.id })).toEqual({ ok: true, role: 'host', eligible: true });
    const foreign = await socket.emitWithAck('meeting:enter', { meetingId: other.meeting.id });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'You are not allowed to do this.' } });
    const bad = await socket.emitWithAck('meeting:enter', { meetingId: 42 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', message: 'Please check: meeting' } });
    const zh = await connect(`${host.client.cookieHeader()}; PARAGLIDE_LOCALE=zh-TW`);
    expect(await zh.emitWithAck('meeting:enter', { meetingId: other.meeting.id })).toMatchObject({ error: { message: '你沒有權限進行這個操作。' } });
    // No ack callback: nothing crashes, the socket keeps working.
    (socket.emit as (event: string, payload: unknown) => void)('meeting:enter', { meetingId: meeting.id });
    (socket.emit as (event: string, payload: unknown) => void)('poll:vote', null);
    expect(await socket.emitWithAck('meeting:enter', { meetingId: meeting.id })).toMatchObject({ ok: true });
  });

  it('a host elects 5 of 8 by secret ballot with 6 tablets, then passes a motion by two-thirds; receipts verify', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guests = [];
    for (let i = 0; i < 5; i++) guests.push(await joinedGuest(ctx.app, meeting.joinCode, `樓長${i + 1}`));
    const hostSocket = await entered(host.client, meeting.id);
    const tablets = [hostSocket, ...(await Promise.all(guests.map((g) => entered(g.client, meeting.id))))];

    const created = await hostSocket.emitWithAck('poll:create', {
      meetingId: meeting.id,
      kind: 'election',
      title: '選舉議事會成員',
      options: ['張', '王', '李', '趙', '陳', '劉', '楊', '黃'],
      seats: 5,
      secret: true,
    });
    if (!created.ok) throw new Error(created.error.message);
    const pollId = created.poll.id;
    expect(created.poll).toMatchObject({ status: 'draft', seats: 5, options: [{ id: 'o1', label: '張' }, expect.anything(), expect.anything(), expect.anything(), expect.anything(), expect.anything(), expect.anything(), expect.anything()] });

    const opened = await hostSocket.emitWithAck('poll:open', { pollId });
    expect(opened).toMatchObject({ ok: true, poll: { status: 'open', turnout: { voted: 0, eligible: 6 }, smallGroup: false } });

    const picks = [
      ['o1', 'o2', 'o3', 'o4', 'o5'],
      ['o1', 'o2', 'o3', 'o4', 'o6'],
      ['o1', 'o2', 'o3', 'o5', 'o7'],
      ['o1', 'o2', 'o4', 'o5', 'o8'],
      ['o1', 'o3', 'o4', 'o5'],
      ['o2', 'o6'],
    ];
    const sawTurnout = nextState(tablets[1]!, pollId, (p) => p.turnout.voted === 6);
    const acks = await Promise.all(tablets.map((s, i) => s.emitWithAck('poll:vote', { pollId, choice: picks[i]! })));
    const receipts = acks.map((a) => (a.ok ? a.receipt : a.error.code));
    for (const r of receipts) expect(r).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    const during = await sawTurnout;
    expect(during.result).toBeUndefined();
    expect(during.receipts).toBeUndefined();

    const sawResult = nextState(tablets[2]!, pollId, (p) => p.status === 'closed');
    const closed = await hostSocket.emitWithAck('poll:close', { pollId });
    if (!closed.ok) throw new Error(closed.error.message);
    expect(closed.poll.result).toMatchObject({
      counts: { o1: 5, o2: 5, o3: 4, o4: 4, o5: 4, o6: 2, o7: 1, o8: 1 },
      elected: ['o1', 'o2', 'o3', 'o4', 'o5'],
      tie: [],
      ballots: 6,
      eligible: 6,
    });
    expect((await sawResult).receipts).toEqual([...receipts].sort());

    const motion = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: '物業費調整', rule: 'two-thirds-cast', quorum: 0.5, secret: true });
    if (!motion.ok) throw new Error(motion.error.message);
    await hostSocket.emitWithAck('poll:open', { pollId: motion.poll.id });
    const choices = ['yes', 'yes', 'yes', 'yes', 'no', 'abstain'] as const;
    await Promise.all(tablets.map((s, i) => s.emitWithAck('poll:vote', { pollId: motion.poll.id, choice: choices[i]! })));
    const done = await hostSocket.emitWithAck('poll:close', { pollId: motion.poll.id });
    expect(done).toMatchObject({ ok: true, poll: { result: { counts: { yes: 4, no: 1, abstain: 1 }, passed: true, quorumMet: true } } });

    const list = await tablets[3]!.emitWithAck('poll:list', { meetingId: meeting.id });
    if (!list.ok) throw new Error(list.error.message);
    expect(list.polls.map((p) => p.status)).toEqual(['closed', 'closed']);
    expect(list.mine[pollId]).toEqual({ eligible: true, voted: true });
  });

  it('every bad input gets {ok:false, error} and changes nothing', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const voter = await joinedGuest(ctx.app, meeting.joinCode, '王樓長');
    const observer = await joinedGuest(ctx.app, meeting.joinCode, '街道李科長');
    await host.client.patch(`/api/meetings/${meeting.id}/participants/${observer.userId}`, { role: 'observer' });
    const outsider = await meetingWithHost(ctx.app);
    const h = await entered(host.client, meeting.id);
    const v = await entered(voter.client, meeting.id);
    const o = await entered(observer.client, meeting.id);
    const x = await connect(outsider.host.client.cookieHeader());

    const code = (a: { ok: boolean; error?: { code: string; message: string } }) => {
      expect(a.ok).toBe(false);
      expect(a.error?.message.length).toBeGreaterThan(3);
      return a.error?.code;
    };

    expect(code(await v.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: 'x', secret: true }))).toBe('forbidden');
    expect(code(await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'election', title: 'x', options: ['a', 'b'], secret: true }))).toBe('invalid_input');
    expect(code(await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'choice', title: 'x', options: ['a', 'a'], secret: true }))).toBe('invalid_input');
    expect(code(await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: 'x', quorum: 1.5, secret: true }))).toBe('invalid_input');

    const election = await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'election', title: '選2', options: ['甲', '乙', '丙'], seats: 2, secret: true });
    const ranking = await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'ranking', title: '排序', options: ['甲', '乙', '丙'], secret: true });
    if (!election.ok || !ranking.ok) throw new Error('create failed');
    const pollId = election.poll.id;

    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: ['o1'] }))).toBe('poll_not_open');
    expect(code(await v.emitWithAck('poll:open', { pollId }))).toBe('forbidden');
    // Two eligible (host and voter): a secret poll that small needs the host's confirmation.
    expect(code(await h.emitWithAck('poll:open', { pollId }))).toBe('small_group_confirm');
    expect(await h.emitWithAck('poll:open', { pollId, confirmSmallGroup: true })).toMatchObject({ ok: true, poll: { turnout: { eligible: 2 }, smallGroup: true } });
    expect(code(await h.emitWithAck('poll:open', { pollId, confirmSmallGroup: true }))).toBe('poll_not_draft');
    await h.emitWithAck('poll:open', { pollId: ranking.poll.id, confirmSmallGroup: true });

    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o9'] }))).toBe('invalid_choice');
    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o2', 'o3'] }))).toBe('too_many_choices');
    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: 'o1' }))).toBe('invalid_choice');
    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: 7 } as never))).toBe('invalid_input');
    expect(code(await v.emitWithAck('poll:vote', { pollId: ranking.poll.id, choice: ['o1', 'o1'] }))).toBe('invalid_choice');
    expect(code(await v.emitWithAck('poll:vote', { pollId: ranking.poll.id, choice: [] }))).toBe('invalid_choice');
    expect(code(await v.emitWithAck('poll:vote', { pollId: 'nope', choice: ['o1'] }))).toBe('not_found');
    expect(code(await o.emitWithAck('poll:vote', { pollId, choice: ['o1'] }))).toBe('not_eligible');
    expect(code(await x.emitWithAck('poll:vote', { pollId, choice: ['o1'] }))).toBe('forbidden');
    expect(code(await x.emitWithAck('poll:close', { pollId }))).toBe('forbidden');
    expect(code(await x.emitWithAck('poll:list', { meetingId: meeting.id }))).toBe('forbidden');
    const late = await joinedGuest(ctx.app, meeting.joinCode, '遲到的人');
    const l = await entered(late.client, meeting.id);
    expect(code(await l.emitWithAck('poll:vote', { pollId, choice: ['o1'] }))).toBe('not_eligible');
    expect(await marksOf(pollId)).toBe(0);
    expect(await ballotsOf(pollId)).toBe(0);

    const first = await v.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o2'] });
    if (!first.ok) throw new Error(first.error.message);
    // A retry (same session, same choice) returns the same receipt; a different second vote is refused.
    expect(await v.emitWithAck('poll:vote', { pollId, choice: ['o2', 'o1'] })).toEqual({ ok: true, receipt: first.receipt });
    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: ['o3'] }))).toBe('already_voted');
    // The same voter from another device (another session) cannot vote again either.
    const hostVote = await h.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o2'] });
    expect(hostVote.ok).toBe(true);
    const laptop = new TestClient(ctx.app);
    expect((await laptop.post('/api/auth/login', { username: host.username, password: 'correct horse battery' })).status).toBe(200);
    const h2 = await entered(laptop, meeting.id);
    expect(code(await h2.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o2'] }))).toBe('already_voted');
    expect(await marksOf(pollId)).toBe(2);
    expect(await ballotsOf(pollId)).toBe(2);

    expect(code(await v.emitWithAck('poll:close', { pollId }))).toBe('forbidden');
    // Two identical ballots of a small group: publishing needs the host's confirmation.
    expect(code(await h.emitWithAck('poll:close', { pollId }))).toBe('unanimous_confirm');
    const closed = await h.emitWithAck('poll:close', { pollId, confirmUnanimous: true });
    expect(closed).toMatchObject({ ok: true, poll: { result: { counts: { o1: 2, o2: 2, o3: 0 }, unanimousSmallGroup: true } } });
    if (closed.ok) expect(closed.poll.receipts).toEqual([first.receipt, hostVote.ok ? hostVote.receipt : ''].sort());
    expect(code(await h.emitWithAck('poll:close', { pollId }))).toBe('poll_not_open');
    expect(code(await v.emitWithAck('poll:vote', { pollId, choice: ['o1', 'o2'] }))).toBe('poll_not_open');
    expect(await ballotsOf(pollId)).toBe(2);
  });

  it('refuses oversized payloads and floods without affecting others', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const h = await entered(host.client, meeting.id);
    const g = await entered(guest.client, meeting.id);

    const big = await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'choice', title: 'x'.repeat(20_000), options: ['a', 'b'], secret: true });
    expect(big).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });

    // Beyond maxHttpBufferSize the transport itself refuses: only that connection is dropped.
    const victim = await entered(host.client, meeting.id);
    const dropped = new Promise<string>((resolve) => victim.once('disconnect', (reason) => resolve(reason)));
    victim.emit('poll:create', { meetingId: meeting.id, kind: 'choice', title: 'y'.repeat(100_000), options: ['a', 'b'], secret: true }, () => {});
    expect(await dropped).toBe('transport close');

    const flood = await Promise.all(Array.from({ length: 60 }, () => h.emitWithAck('meeting:enter', { meetingId: meeting.id })));
    const limited = flood.filter((a) => !a.ok && a.error.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(30);
    expect(await g.emitWithAck('meeting:enter', { meetingId: meeting.id })).toMatchObject({ ok: true });
    const list = await g.emitWithAck('poll:list', { meetingId: meeting.id });
    expect(list).toMatchObject({ ok: true, polls: [] });
  });

  it('reconnecting does not refill the event budget: the next socket continues from the last one', async () => {
    const { meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '重連者');
    const first = await entered(guest.client, meeting.id);
    // The burst (20) used up, minus the enter above.
    const used = await Promise.all(Array.from({ length: 25 }, () => first.emitWithAck('poll:list', { meetingId: meeting.id })));
    expect(used.filter((a) => !a.ok && a.error.code === 'rate_limited').length).toBeGreaterThan(0);
    first.disconnect();
    const second = await connect(guest.client.cookieHeader());
    const after = await Promise.all(Array.from({ length: 10 }, () => second.emitWithAck('poll:list', { meetingId: meeting.id })));
    // A fresh bucket would answer all ten; at 5 per second a second or two refills a few at most.
    expect(after.filter((a) => !a.ok && a.error.code === 'rate_limited').length).toBeGreaterThanOrEqual(5);
    // Someone else is not affected.
    const other = await joinedGuest(ctx.app, meeting.joinCode, '旁人');
    const calm = await connect(other.client.cookieHeader());
    expect(await calm.emitWithAck('poll:list', { meetingId: meeting.id })).toMatchObject({ ok: true });
  });

  it('forwards roster changes to the meeting room', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const h = await entered(host.client, meeting.id);
    const changed = new Promise<{ meetingId: string }>((resolve) => h.once('roster:changed', resolve));
    await joinedGuest(ctx.app, meeting.joinCode, '新來的');
    expect(await changed).toEqual({ meetingId: meeting.id });
  });

  it('200 voters at once, some on two sockets at once: the tally equals the intended votes exactly', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const h = await entered(host.client, meeting.id);
    const voters = [];
    for (let i = 0; i < 199; i++) voters.push(await joinedGuest(ctx.app, meeting.joinCode, `居民${i}`));
    const created = await h.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'choice', title: '停車方案', options: ['甲', '乙', '丙', '丁'], secret: true });
    if (!created.ok) throw new Error(created.error.message);
    const pollId = created.poll.id;
    await h.emitWithAck('poll:open', { pollId });

    const clients = [host.client, ...voters.map((v) => v.client)];
    const intended = clients.map((_, i) => `o${(i % 4) + 1}`);
    const first = await Promise.all(clients.map((c) => connect(c.cookieHeader())));
    // Every fifth voter also votes from a second socket at the same moment.
    const second = await Promise.all(clients.map((c, i) => (i % 5 === 0 ? connect(c.cookieHeader()) : null)));
    const acks = await Promise.all(
      clients.flatMap((_, i) => [
        first[i]!.emitWithAck('poll:vote', { pollId, choice: intended[i]! }).then((a) => ({ i, a })),
        ...(second[i] ? [second[i]!.emitWithAck('poll:vote', { pollId, choice: intended[i]! }).then((a) => ({ i, a }))] : []),
      ]),
    );
    const receiptOf = new Map<number, string>();
    for (const { i, a } of acks) {
      if (!a.ok) throw new Error(`voter ${i}: ${a.error.code}`);
      if (receiptOf.has(i)) expect(a.receipt).toBe(receiptOf.get(i));
      receiptOf.set(i, a.receipt);
    }
    expect(new Set(receiptOf.values()).size).toBe(200);
    const closed = await h.emitWithAck('poll:close', { pollId });
    if (!closed.ok) throw new Error(closed.error.message);
    const expected = { o1: 0, o2: 0, o3: 0, o4: 0 } as Record<string, number>;
    for (const c of intended) expected[c]! += 1;
    expect(closed.poll.result).toMatchObject({ counts: expected, ballots: 200 });
    expect(closed.poll.turnout).toEqual({ voted: 200, eligible: 200 });
    expect(closed.poll.receipts).toEqual([...receiptOf.values()].sort());
    for (const s of [...first, ...second]) s?.disconnect();
  });
});
