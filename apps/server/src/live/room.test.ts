import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { eq } from 'drizzle-orm';
import { speakerQueue } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import {
  getFocus,
  getTimer,
  readAgenda,
  type ClientToServerEvents,
  type QueueDto,
  type RoomClientToServerEvents,
  type RoomServerToClientEvents,
  type ServerToClientEvents,
} from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, TestClient, type TestContext } from '../testing.ts';
import { createPgPersistence } from '../yjs/persistence.ts';
import { createSocketLayer } from './socket.ts';

type Client = Socket<ServerToClientEvents & RoomServerToClientEvents, ClientToServerEvents & RoomClientToServerEvents>;

let ctx: TestContext;
let url: string;
let close: () => Promise<void>;
const sockets: Client[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [createSocketLayer()]);
  url = server.url;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await close();
  await ctx.dispose();
});

async function entered(client: TestClient, meetingId: string): Promise<Client> {
  const socket: Client = connectClient(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { cookie: client.cookieHeader() },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ack = await socket.emitWithAck('meeting:enter', { meetingId });
  expect(ack.ok).toBe(true);
  return socket;
}

function nextQueue(socket: Client, until: (q: QueueDto) => boolean): Promise<QueueDto> {
  return new Promise((resolve) => {
    const listener = ({ queue }: { queue: QueueDto }) => {
      if (!until(queue)) return;
      socket.off('queue:state', listener);
      resolve(queue);
    };
    socket.on('queue:state', listener);
  });
}

function ok<T extends { ok: boolean }>(ack: T): Extract<T, { ok: true }> {
  if (!ack.ok) throw new Error(`expected ok, got ${JSON.stringify(ack)}`);
  return ack as Extract<T, { ok: true }>;
}

describe(`speaker queue over socket.io on ${testDriver}`, () => {
  it('raises hands, broadcasts the queue, calls the next speaker with a time limit, reorders and lowers', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode, '王樓長', 'resident');
    const li = await joinedGuest(ctx.app, meeting.joinCode, '李經理', 'property');
    const hostSocket = await entered(host.client, meeting.id);
    const wangSocket = await entered(wang.client, meeting.id);
    const liSocket = await entered(li.client, meeting.id);

    const seen = nextQueue(hostSocket, (q) => q.waiting.length === 1);
    const raised = ok(await wangSocket.emitWithAck('queue:raise', { meetingId: meeting.id }));
    expect(raised.queue.waiting.map((w) => w.name)).toEqual(['王樓長']);
    expect((await seen).waiting[0]).toMatchObject({ userId: wang.userId, affiliation: 'resident' });

    // Raising twice is harmless.
    ok(await wangSocket.emitWithAck('queue:raise', { meetingId: meeting.id }));
    const two = ok(await liSocket.emitWithAck('queue:raise', { meetingId: meeting.id }));
    expect(two.queue.waiting.map((w) => w.userId)).toEqual([wang.userId, li.userId]);

    // Only a facilitator reorders or calls the next speaker.
    const refused = await wangSocket.emitWithAck('queue:next', { meetingId: meeting.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const reordered = ok(await hostSocket.emitWithAck('queue:reorder', { meetingId: meeting.id, order: [li.userId, wang.userId] }));
    expect(reordered.queue.waiting.map((w) => w.userId)).toEqual([li.userId, wang.userId]);
    const stale = await hostSocket.emitWithAck('queue:reorder', { meetingId: meeting.id, order: [li.userId] });
    expect(stale).toMatchObject({ ok: false, error: { code: 'queue_changed' } });

    const called = nextQueue(wangSocket, (q) => q.speaking !== null);
    const next = ok(await hostSocket.emitWithAck('queue:next', { meetingId: meeting.id, limitSeconds: 120 }));
    expect(next.queue.speaking).toMatchObject({ userId: li.userId, limitSeconds: 120 });
    expect(next.queue.speaking?.startedAt).toBeTruthy();
    expect((await called).speaking?.userId).toBe(li.userId);

    // Wang lowers his own hand; he cannot lower someone else's.
    const foreign = await wangSocket.emitWithAck('queue:lower', { meetingId: meeting.id, userId: li.userId });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const lowered = ok(await wangSocket.emitWithAck('queue:lower', { meetingId: meeting.id }));
    expect(lowered.queue.waiting).toEqual([]);

    // Next with nobody waiting ends the current turn.
    const empty = ok(await hostSocket.emitWithAck('queue:next', { meetingId: meeting.id }));
    expect(empty.queue).toEqual({ meetingId: meeting.id, speaking: null, waiting: [] });
  });

  it('keeps the queue in the database (a restart or another instance sees it)', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode);
    const socket = await entered(wang.client, meeting.id);
    ok(await socket.emitWithAck('queue:raise', { meetingId: meeting.id }));
    const rows = await ctx.deps.db.select().from(speakerQueue).where(eq(speakerQueue.meetingId, meeting.id));
    expect(rows.map((r) => r.userId)).toEqual([wang.userId]);
    // A fresh connection (as after a restart) reads it back.
    const hostSocket = await entered(host.client, meeting.id);
    const listed = ok(await hostSocket.emitWithAck('queue:list', { meetingId: meeting.id }));
    expect(listed.queue.waiting.map((w) => w.userId)).toEqual([wang.userId]);
  });

  it('lets a facilitator raise a hand for a person checked in by hand, and refuses bad input and outsiders', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const checkedIn = await host.client.post(`/api/meetings/${meeting.id}/participants`, { name: '劉奶奶', affiliation: 'resident' });
    expect(checkedIn.status).toBe(201);
    const hostSocket = await entered(host.client, meeting.id);
    const raised = ok(await hostSocket.emitWithAck('queue:raise', { meetingId: meeting.id, userId: checkedIn.json.userId }));
    expect(raised.queue.waiting.map((w) => w.name)).toEqual(['劉奶奶']);

    const wang = await joinedGuest(ctx.app, meeting.joinCode);
    const wangSocket = await entered(wang.client, meeting.id);
    const forOther = await wangSocket.emitWithAck('queue:raise', { meetingId: meeting.id, userId: host.user.id });
    expect(forOther).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const bad = await hostSocket.emitWithAck('queue:next', { meetingId: meeting.id, limitSeconds: -3 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((bad as { error: { message: string } }).error.message).toMatch(/发言时间/);
    const garbage = await hostSocket.emitWithAck('queue:raise', 'nonsense' as never);
    expect(garbage).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const tooBig = await hostSocket.emitWithAck('queue:reorder', { meetingId: meeting.id, order: Array.from({ length: 300 }, (_, i) => `u${i}`) });
    expect(tooBig.ok).toBe(false);

    // Someone of another meeting sees nothing and changes nothing.
    const other = await meetingWithHost(ctx.app);
    const outsider = await entered(other.host.client, other.meeting.id);
    expect(await outsider.emitWithAck('queue:list', { meetingId: meeting.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outsider.emitWithAck('queue:raise', { meetingId: meeting.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const still = ok(await hostSocket.emitWithAck('queue:list', { meetingId: meeting.id }));
    expect(still.queue.waiting.map((w) => w.name)).toEqual(['劉奶奶']);
  });

  it('tells the room when the meeting changes (e.g. it was ended)', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const socket = await entered(host.client, meeting.id);
    const changed = new Promise<string>((resolve) => socket.once('meeting:changed', ({ meetingId }) => resolve(meetingId)));
    expect((await host.client.patch(`/api/meetings/${meeting.id}`, { status: 'closed' })).status).toBe(200);
    expect(await changed).toBe(meeting.id);
  });
});

describe(`attendance and demo on ${testDriver}`, () => {
  it('checks someone in by hand (host only) and sets the attendance quorum', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode);
    const res = await host.client.post(`/api/meetings/${meeting.id}/participants`, { name: '劉奶奶', affiliation: 'resident' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: '劉奶奶', affiliation: 'resident', role: 'participant', present: true });
    const roster = await host.client.get(`/api/meetings/${meeting.id}/participants`);
    expect(roster.json.map((p: { name: string }) => p.name)).toContain('劉奶奶');

    const denied = await wang.client.post(`/api/meetings/${meeting.id}/participants`, { name: 'x', affiliation: 'resident' });
    expect(denied.status).toBe(403);
    const invalid = await host.client.post(`/api/meetings/${meeting.id}/participants`, { name: '', affiliation: 'martian' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.message).toMatch(/姓名/);
    const long = await host.client.post(`/api/meetings/${meeting.id}/participants`, { name: '長'.repeat(65), affiliation: 'resident' });
    expect(long.status).toBe(400);
    expect((await host.client.get(`/api/meetings/${meeting.id}/participants`)).json).toHaveLength(3);

    const quorum = await host.client.patch(`/api/meetings/${meeting.id}`, { attendanceQuorum: 3 });
    expect(quorum.status).toBe(200);
    expect(quorum.json.attendanceQuorum).toBe(3);
    expect((await wang.client.get(`/api/meetings/${meeting.id}`)).json.attendanceQuorum).toBe(3);
    expect((await host.client.patch(`/api/meetings/${meeting.id}`, { attendanceQuorum: 0 })).status).toBe(400);
    expect((await wang.client.patch(`/api/meetings/${meeting.id}`, { attendanceQuorum: 1 })).status).toBe(403);
    const cleared = await host.client.patch(`/api/meetings/${meeting.id}`, { attendanceQuorum: null });
    expect(cleared.json.attendanceQuorum).toBeNull();

    await host.client.patch(`/api/meetings/${meeting.id}`, { status: 'closed' });
    const late = await host.client.post(`/api/meetings/${meeting.id}/participants`, { name: '遲到', affiliation: 'resident' });
    expect(late.status).toBe(409);
  });

  it('opens a demo meeting for an anonymous visitor with agenda, election result, draft motion and follow-ups', async () => {
    const visitor = new TestClient(ctx.app);
    const res = await visitor.post('/api/demo');
    expect(res.status).toBe(201);
    const { meetingId, communityId } = res.json as { meetingId: string; communityId: string };
    const me = await visitor.get('/api/me');
    expect(me.json.user).toMatchObject({ guest: false, username: null });

    const meeting = await visitor.get(`/api/meetings/${meetingId}`);
    expect(meeting.json).toMatchObject({ title: '楼长有话说', kind: 'building-talk', status: 'live', role: 'host', communityName: '滨湖明珠社区（演示）' });
    const roster = (await visitor.get(`/api/meetings/${meetingId}/participants`)).json as { affiliation: string }[];
    expect(roster.length).toBe(10);
    expect(new Set(roster.map((p) => p.affiliation))).toEqual(new Set(['social-work', 'party', 'committee', 'property', 'resident']));

    const followUps = (await visitor.get(`/api/communities/${communityId}/follow-ups`)).json as { title: string }[];
    expect(followUps).toHaveLength(3);

    // The document was stored through the Yjs persistence: agenda with notes, focus and timer.
    const { doc } = await createPgPersistence(ctx.deps.db).load(meetingId);
    const agenda = readAgenda(doc);
    expect(agenda.items.map((i) => i.title)).toEqual(['规范停车', '文明养宠', '清理楼道杂物', '选举议事会成员']);
    expect(agenda.items[0]!.notesText).toMatch(/消防通道/);
    expect(getFocus(doc)).toBe(agenda.items[0]!.id);
    expect(getTimer(doc)?.itemId).toBe(agenda.items[0]!.id);

    // The polls as the room sees them: a closed election (5 of 8, receipts published) and a draft motion.
    const socket = await entered(visitor, meetingId);
    const list = ok(await socket.emitWithAck('poll:list', { meetingId }));
    const [election, motion] = list.polls;
    expect(election).toMatchObject({ kind: 'election', status: 'closed', seats: 5, secret: true, turnout: { voted: 9, eligible: 10 } });
    const result = election!.result as { elected: string[]; tie: string[] };
    expect(result.elected).toHaveLength(5);
    expect(result.tie).toEqual([]);
    expect(election!.receipts).toHaveLength(9);
    expect(motion).toMatchObject({ kind: 'motion', status: 'draft', rule: 'two-thirds-cast' });
  });

  it('opens the demo for a signed-in user as themself', async () => {
    const { host } = await meetingWithHost(ctx.app);
    const res = await host.client.post('/api/demo');
    expect(res.status).toBe(201);
    expect(res.setCookie).toEqual([]);
    const communities = (await host.client.get('/api/communities')).json as { name: string }[];
    expect(communities.map((c) => c.name)).toContain('滨湖明珠社区（演示）');
  });

  it('speaks the visitor’s language: Traditional for zh-TW, English for en', async () => {
    for (const [language, title, first] of [
      ['zh-TW', '樓長有話說', '規範停車'],
      ['en', 'Building leaders speak', 'Parking'],
    ] as const) {
      const visitor = new TestClient(ctx.app, { 'accept-language': language });
      const { meetingId } = (await visitor.post('/api/demo')).json as { meetingId: string };
      expect((await visitor.get(`/api/meetings/${meetingId}`)).json).toMatchObject({ title });
      const { doc } = await createPgPersistence(ctx.deps.db).load(meetingId);
      expect(readAgenda(doc).items[0]!.title).toBe(first);
    }
  });
});

describe(`follow-up push on ${testDriver}`, () => {
  it('tells everyone in any meeting of the community, and no one elsewhere', async () => {
    const { host, communityId, meeting } = await meetingWithHost(ctx.app);
    const second = await host.client.post('/api/meetings', { communityId, title: '12月樓長有話說', kind: 'building-talk' });
    const guest = await joinedGuest(ctx.app, second.json.joinCode, '物業劉經理', 'property');
    const elsewhere = await meetingWithHost(ctx.app);
    const inSecond = await entered(guest.client, second.json.id);
    const outsider = await entered(elsewhere.host.client, elsewhere.meeting.id);
    let outsiderHeard = 0;
    outsider.on('followups:changed', () => outsiderHeard++);
    const heard = new Promise<string>((resolve) => inSecond.once('followups:changed', ({ communityId: id }) => resolve(id)));
    const created = await host.client.post(`/api/meetings/${meeting.id}/follow-ups`, { title: '清理樓道雜物', ownerAffiliation: 'property' });
    expect(created.status).toBe(201);
    expect(await heard).toBe(communityId);
    // The outsider's own meeting gets its next event; by then it would have heard ours if it leaked.
    const own = new Promise<void>((resolve) => outsider.once('followups:changed', () => resolve()));
    await elsewhere.host.client.post(`/api/meetings/${elsewhere.meeting.id}/follow-ups`, { title: '規範停車', ownerAffiliation: 'committee' });
    await own;
    expect(outsiderHeard).toBe(1);
  });
});
