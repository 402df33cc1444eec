import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { testDriver } from '@yishi/db/testing';
import {
  createAgendaItem,
  getTimer,
  readAgenda,
  sortedItems,
  startTimer,
  updateAgendaItem,
  YJS_CLOSE,
  type ClientToServerEvents,
  type QueueDto,
  type RoomClientToServerEvents,
  type RoomServerToClientEvents,
  type ServerToClientEvents,
} from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, TestClient, type TestContext } from '../testing.ts';
import { createSocketLayer } from '../live/socket.ts';
import { createYjsLayer } from '../yjs/layer.ts';
import { connectPeer, until, waitFor, type TestPeer } from '../yjs/testing.ts';
import { loadMeetingDoc } from './minutes.ts';

type Client = Socket<ServerToClientEvents & RoomServerToClientEvents, ClientToServerEvents & RoomClientToServerEvents>;

let ctx: TestContext;
let url: string;
let wsUrl: string;
const peers: TestPeer[] = [];
let close: () => Promise<void>;
const sockets: Client[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [(_server, deps) => createYjsLayer(deps, { heartbeatMs: 0 }), createSocketLayer()]);
  url = server.url;
  wsUrl = server.wsUrl;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const p of peers) p.destroy();
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
  expect((await socket.emitWithAck('meeting:enter', { meetingId })).ok).toBe(true);
  return socket;
}

async function timerOf(meetingId: string) {
  const doc = await loadMeetingDoc(ctx.deps, meetingId);
  try {
    return getTimer(doc);
  } finally {
    doc.destroy();
  }
}

async function draftPoll(socket: Client, meetingId: string, title: string): Promise<string> {
  const created = await socket.emitWithAck('poll:create', { meetingId, kind: 'motion', title, secret: false });
  if (!created.ok) throw new Error(created.error.message);
  return created.poll.id;
}

function peer(meetingId: string, client: TestClient): TestPeer {
  const p = connectPeer(wsUrl, meetingId, client.cookieHeader());
  peers.push(p);
  return p;
}

const titles = (p: TestPeer) => readAgenda(p.doc).items.map((i) => i.title);

describe(`meeting lifecycle on ${testDriver}`, () => {
  it('after the end host and secretary keep writing, a participant is told and refused; 定稿 freezes everyone', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode, '王樓長');
    const chen = await joinedGuest(ctx.app, meeting.joinCode, '社工小陳', 'social-work');
    await host.client.patch(`/api/meetings/${meeting.id}/participants/${chen.userId}`, { role: 'secretary' });
    await host.client.post(`/api/meetings/${meeting.id}/start`);
    const [hostPeer, wangPeer, chenPeer] = [peer(meeting.id, host.client), peer(meeting.id, wang.client), peer(meeting.id, chen.client)];
    await Promise.all([hostPeer.synced, wangPeer.synced, chenPeer.synced]);
    const itemId = String(sortedItems(hostPeer.doc)[2]!.get('id'));
    startTimer(hostPeer.doc, itemId, 600_000, Date.now());
    await waitFor(wangPeer.doc, () => getTimer(wangPeer.doc) !== null, 'timer seen');

    expect((await host.client.post(`/api/meetings/${meeting.id}/end`, {})).status).toBe(200);
    // The timer stops for everyone, through the live room.
    await waitFor(wangPeer.doc, () => getTimer(wangPeer.doc) === null, 'timer stopped for the participant');
    await until(() => wangPeer.closes.some((c) => c.code === YJS_CLOSE.rightsChanged), 'participant told');
    expect(chenPeer.closes.map((c) => c.code)).not.toContain(YJS_CLOSE.rightsChanged);
    expect(hostPeer.closes).toEqual([]);

    updateAgendaItem(chenPeer.doc, itemId, { title: '议定事项（会后整理）' });
    await waitFor(hostPeer.doc, () => titles(hostPeer).includes('议定事项（会后整理）'), 'secretary edit after the end');
    await until(() => wangPeer.provider.synced && wangPeer.provider.wsconnected, 'participant reconnected');
    await waitFor(wangPeer.doc, () => titles(wangPeer).includes('议定事项（会后整理）'), 'participant still reads');
    updateAgendaItem(wangPeer.doc, itemId, { title: '居民的改动' });
    expect(await wangPeer.closed).toMatchObject({ code: YJS_CLOSE.readOnly });

    expect((await host.client.post(`/api/meetings/${meeting.id}/finalize`)).status).toBe(200);
    await until(() => chenPeer.closes.some((c) => c.code === YJS_CLOSE.rightsChanged), 'secretary told of 定稿');
    await until(() => chenPeer.provider.synced && chenPeer.provider.wsconnected, 'secretary reconnected');
    updateAgendaItem(chenPeer.doc, itemId, { title: '定稿后的改动' });
    expect(await chenPeer.closed).toMatchObject({ code: YJS_CLOSE.readOnly });
    const stored = await loadMeetingDoc(ctx.deps, meeting.id);
    expect(readAgenda(stored).items.map((i) => i.title)).toContain('议定事项（会后整理）');
    expect(readAgenda(stored).items.map((i) => i.title)).not.toContain('定稿后的改动');
    expect(readAgenda(stored).items.map((i) => i.title)).not.toContain('居民的改动');
    stored.destroy();
  });

  it('ends a live meeting: timer stopped, floor closed for everyone, no new polls, hands or joins', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode, '王樓長');
    const liu = await joinedGuest(ctx.app, meeting.joinCode, '劉奶奶');
    const started = await host.client.post(`/api/meetings/${meeting.id}/start`);
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ status: 'live', endedAt: null, finalizedAt: null, lifecycle: [{ kind: 'started', byName: '李书记', reason: null }] });

    await ctx.deps.editDoc(meeting.id, { kind: 'building-talk' }, (doc) => {
      createAgendaItem(doc, { id: 'item-1', title: '規範停車' });
      startTimer(doc, 'item-1', 600_000, Date.now());
    });
    expect(await timerOf(meeting.id)).toMatchObject({ itemId: 'item-1' });
    const hostSocket = await entered(host.client, meeting.id);
    const wangSocket = await entered(wang.client, meeting.id);
    const liuSocket = await entered(liu.client, meeting.id);
    expect((await wangSocket.emitWithAck('queue:raise', { meetingId: meeting.id })).ok).toBe(true);
    expect((await liuSocket.emitWithAck('queue:raise', { meetingId: meeting.id })).ok).toBe(true);
    const called = await hostSocket.emitWithAck('queue:next', { meetingId: meeting.id });
    expect(called).toMatchObject({ ok: true, queue: { speaking: { name: '王樓長' }, waiting: [{ name: '劉奶奶' }] } });
    const draft = await draftPoll(hostSocket, meeting.id, '是否設立臨時車位');

    const emptied = new Promise<QueueDto>((resolve) =>
      liuSocket.on('queue:state', ({ queue }) => !queue.speaking && !queue.waiting.length && resolve(queue)),
    );
    const changed = new Promise<void>((resolve) => wangSocket.once('meeting:changed', () => resolve()));
    expect((await wang.client.post(`/api/meetings/${meeting.id}/end`, {})).status).toBe(403);
    const ended = await host.client.post(`/api/meetings/${meeting.id}/end`, {});
    expect(ended.status).toBe(200);
    expect(ended.json.status).toBe('closed');
    expect(Date.parse(ended.json.endedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(ended.json.lifecycle.map((e: { kind: string }) => e.kind)).toEqual(['started', 'ended']);
    await changed;
    expect(await emptied).toMatchObject({ speaking: null, waiting: [] });
    expect(await timerOf(meeting.id)).toBeNull();

    const refusedPoll = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: '再表決', secret: false });
    expect(refusedPoll).toMatchObject({ ok: false, error: { code: 'meeting_ended', message: '会议已经结束，不能再这样做。' } });
    expect(await hostSocket.emitWithAck('poll:open', { pollId: draft })).toMatchObject({ ok: false, error: { code: 'meeting_ended' } });
    expect(await liuSocket.emitWithAck('queue:raise', { meetingId: meeting.id })).toMatchObject({ ok: false, error: { code: 'meeting_ended' } });
    const late = await new TestClient(ctx.app).post('/api/join', { code: meeting.joinCode, name: '遲到', affiliation: 'resident' });
    expect(late.status).toBe(409);
    // Ending twice is not a step.
    expect((await host.client.post(`/api/meetings/${meeting.id}/end`, {})).json.error.code).toBe('invalid_status_change');
  });

  it('asks before ending with polls open, and keeps them open when told to', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    await joinedGuest(ctx.app, meeting.joinCode);
    await host.client.post(`/api/meetings/${meeting.id}/start`);
    const hostSocket = await entered(host.client, meeting.id);
    const pollId = await draftPoll(hostSocket, meeting.id, '文明養寵公約');
    expect((await hostSocket.emitWithAck('poll:open', { pollId })).ok).toBe(true);

    const asked = await host.client.post(`/api/meetings/${meeting.id}/end`, {});
    expect(asked.status).toBe(409);
    expect(asked.json.error).toEqual({ code: 'polls_open', message: '还有 1 项表决在进行中。请先结束表决，或选择保留表决继续结束会议。' });
    expect((await host.client.get(`/api/meetings/${meeting.id}`)).json.status).toBe('live');
    expect((await host.client.post(`/api/meetings/${meeting.id}/end`, { keepOpenPolls: 'yes' })).status).toBe(400);

    const ended = await host.client.post(`/api/meetings/${meeting.id}/end`, { keepOpenPolls: true });
    expect(ended.json.status).toBe('closed');
    // The poll kept open can still be closed and counted.
    expect(await hostSocket.emitWithAck('poll:close', { pollId })).toMatchObject({ ok: true, poll: { status: 'closed' } });
  });

  it('makes the minutes final, freezes the summary, and reopens them with a reason the minutes record', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode);
    expect((await host.client.post(`/api/meetings/${meeting.id}/finalize`)).json.error.code).toBe('invalid_status_change');
    await host.client.post(`/api/meetings/${meeting.id}/start`);
    await host.client.post(`/api/meetings/${meeting.id}/end`, {});
    expect((await host.client.request('PUT', `/api/meetings/${meeting.id}/summary`, { summary: '議定三項。' })).status).toBe(200);

    expect((await wang.client.post(`/api/meetings/${meeting.id}/finalize`)).status).toBe(403);
    const final = await host.client.post(`/api/meetings/${meeting.id}/finalize`);
    expect(final.json).toMatchObject({ status: 'final' });
    expect(final.json.finalizedAt).toEqual(final.json.lifecycle.at(-1).at);
    const frozen = await host.client.request('PUT', `/api/meetings/${meeting.id}/summary`, { summary: '改一下' });
    expect(frozen.status).toBe(409);
    expect(frozen.json.error.code).toBe('minutes_final');
    const finalMinutes = await host.client.get(`/api/meetings/${meeting.id}/minutes.md`);
    expect(finalMinutes.json).toMatch(/- \*\*纪要状态\*\*：定稿（\d{4}年\d+月\d+日（星期.） \d\d:\d\d）/);
    expect(finalMinutes.json).toContain('議定三項。');

    expect((await host.client.post(`/api/meetings/${meeting.id}/reopen`, { reason: '  ' })).status).toBe(400);
    expect((await host.client.post(`/api/meetings/${meeting.id}/reopen`, { reason: '長'.repeat(501) })).status).toBe(400);
    expect((await wang.client.post(`/api/meetings/${meeting.id}/reopen`, { reason: '想改' })).status).toBe(403);
    const reopened = await host.client.post(`/api/meetings/${meeting.id}/reopen`, { reason: '補充議定事項' });
    expect(reopened.json).toMatchObject({ status: 'closed', finalizedAt: null });
    expect(reopened.json.lifecycle.at(-1)).toMatchObject({ kind: 'reopened', byName: '李书记', reason: '補充議定事項' });
    expect((await host.client.post(`/api/meetings/${meeting.id}/reopen`, { reason: '再開' })).json.error.code).toBe('invalid_status_change');
    expect((await host.client.request('PUT', `/api/meetings/${meeting.id}/summary`, { summary: '議定四項。' })).status).toBe(200);
    const draft = await host.client.get(`/api/meetings/${meeting.id}/minutes.md`);
    expect(draft.json).toContain('- **纪要状态**：草稿，尚未定稿');
    expect(draft.json).toMatch(/- \*\*重新打开\*\*：.+，李书记：補充議定事項/);
  });

  it('takes one step when two hosts click at once, and PATCH status follows the same rules', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const wang = await joinedGuest(ctx.app, meeting.joinCode);
    await host.client.patch(`/api/meetings/${meeting.id}/participants/${wang.userId}`, { role: 'host' });
    await host.client.post(`/api/meetings/${meeting.id}/start`);
    const answers = await Promise.all([host.client.post(`/api/meetings/${meeting.id}/end`, {}), wang.client.post(`/api/meetings/${meeting.id}/end`, {})]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const lifecycle = (await host.client.get(`/api/meetings/${meeting.id}`)).json.lifecycle;
    expect(lifecycle.map((e: { kind: string }) => e.kind)).toEqual(['started', 'ended']);

    expect((await host.client.patch(`/api/meetings/${meeting.id}`, { status: 'planned' })).status).toBe(409);
    expect((await host.client.patch(`/api/meetings/${meeting.id}`, { status: 'final', title: '11月樓長有話說（定稿）' })).json).toMatchObject({
      status: 'final',
      title: '11月樓長有話說（定稿）',
    });
  });
});
