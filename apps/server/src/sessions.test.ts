import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { eq } from 'drizzle-orm';
import { createSession, generateSessionToken, sessionIdFromToken } from '@yishi/auth';
import { sessions, users } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { YJS_CLOSE, type ClientToServerEvents, type RoomServerToClientEvents, type ServerToClientEvents } from '@yishi/model';
import { createLogger } from './logger.ts';
import { createSocketLayer } from './live/socket.ts';
import { LiveSessions } from './sessions.ts';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, signedUp, TestClient, type TestContext, socketClients } from './testing.ts';
import { createYjsLayer } from './yjs/layer.ts';
import { connectPeer, type TestPeer } from './yjs/testing.ts';

type Client = Socket<ServerToClientEvents & RoomServerToClientEvents, ClientToServerEvents>;

let ctx: TestContext;
let url: string;
let wsUrl: string;
let close: () => Promise<void>;
const { connect, sockets } = socketClients<Client>(() => url);
const peers: TestPeer[] = [];

beforeAll(async () => {
  process.setMaxListeners(100);
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [(_s, deps) => createYjsLayer(deps, { heartbeatMs: 0 }), createSocketLayer({ connectionsPerUser: 3 })]);
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


/** A client in the meeting over both channels: a stock Yjs provider and socket.io. */
async function live(client: TestClient, meetingId: string) {
  const peer = connectPeer(wsUrl, meetingId, client.cookieHeader());
  peers.push(peer);
  await peer.synced;
  const socket = await connect(client.cookieHeader());
  expect((await socket.emitWithAck('meeting:enter', { meetingId })).ok).toBe(true);
  const ended = new Promise<void>((done) => socket.once('session:ended', () => done()));
  const disconnected = new Promise<string>((done) => socket.once('disconnect', (reason) => done(reason)));
  return { peer, socket, ended, disconnected };
}

describe(`sessions that end close their live connections (${testDriver})`, () => {
  it('logging out closes that session’s /yjs (4401) and socket.io connections, and no one else’s', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const mine = await live(host.client, meeting.id);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const other = await live(guest.client, meeting.id);
    expect((await host.client.post('/api/auth/logout')).status).toBe(204);
    expect((await mine.peer.closed).code).toBe(YJS_CLOSE.unauthenticated);
    await mine.ended;
    expect(await mine.disconnected).toBe('io server disconnect');
    // The guest's connections stay.
    expect(other.socket.connected).toBe(true);
    expect(other.peer.provider.wsconnected).toBe(true);
    expect(other.peer.closes).toEqual([]);
  });

  it('a host removing a guest signs the guest out everywhere; removing an account holder drops the meeting only', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const guestLive = await live(guest.client, meeting.id);
    const member = await signedUp(ctx.app, '物业王经理');
    expect((await member.client.post('/api/join', { code: meeting.joinCode, name: '物业王经理', affiliation: 'property' })).status).toBe(200);
    const memberLive = await live(member.client, meeting.id);
    const removedNotice = new Promise((done) => memberLive.socket.once('meeting:removed', done));

    expect((await host.client.request('DELETE', `/api/meetings/${meeting.id}/participants/${guest.userId}`)).status).toBe(204);
    expect([YJS_CLOSE.unauthenticated, YJS_CLOSE.forbidden]).toContain((await guestLive.peer.closed).code);
    await guestLive.disconnected;
    expect((await guest.client.get('/api/me')).status).toBe(401);

    expect((await host.client.request('DELETE', `/api/meetings/${meeting.id}/participants/${member.user.id}`)).status).toBe(204);
    await removedNotice;
    expect((await memberLive.peer.closed).code).toBe(YJS_CLOSE.forbidden);
    // Still signed in, but the meeting is gone for them.
    expect((await member.client.get('/api/me')).status).toBe(200);
    expect((await member.client.get(`/api/meetings/${meeting.id}`)).status).toBe(403);
    const enter = await memberLive.socket.emitWithAck('meeting:enter', { meetingId: meeting.id });
    expect(enter.ok).toBe(false);
    // Only the host removes, and the last host stays.
    expect((await member.client.request('DELETE', `/api/meetings/${meeting.id}/participants/${host.user.id}`)).status).toBe(403);
    const last = await host.client.request('DELETE', `/api/meetings/${meeting.id}/participants/${host.user.id}`);
    expect(last.status).toBe(409);
    expect(last.json.error.code).toBe('last_host');
  });

  it('someone removed while a poll is open cannot vote in it, even on a socket that voted before', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const member = await signedUp(ctx.app, '周委员');
    expect((await member.client.post('/api/join', { code: meeting.joinCode, name: '周委员', affiliation: 'committee' })).status).toBe(200);
    const other = await signedUp(ctx.app, '陈主任');
    expect((await other.client.post('/api/join', { code: meeting.joinCode, name: '陈主任', affiliation: 'committee' })).status).toBe(200);
    const hostLive = await live(host.client, meeting.id);
    const memberSocket = await connect(member.client.cookieHeader());
    const otherSocket = await connect(other.client.cookieHeader());
    const poll = async () => {
      const created = await hostLive.socket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: '更换门禁', secret: true });
      if (!created.ok) throw new Error(created.error.message);
      const opened = await hostLive.socket.emitWithAck('poll:open', { pollId: created.poll.id, confirmSmallGroup: true });
      if (!opened.ok) throw new Error(opened.error.message);
      return created.poll.id;
    };
    // A first vote warms this process's cache of the eligible set, with the member in it.
    const second = await poll();
    expect((await otherSocket.emitWithAck('poll:vote', { pollId: second, choice: 'yes' })).ok).toBe(true);
    expect((await host.client.request('DELETE', `/api/meetings/${meeting.id}/participants/${member.user.id}`)).status).toBe(204);
    const refused = await memberSocket.emitWithAck('poll:vote', { pollId: second, choice: 'no' });
    expect(refused.ok).toBe(false);
    const closed = await hostLive.socket.emitWithAck('poll:close', { pollId: second, confirmUnanimous: true });
    if (!closed.ok) throw new Error(closed.error.message);
    expect(closed.poll.result).toMatchObject({ counts: { yes: 1, no: 0, abstain: 0 }, ballots: 1 });
  });

  it('caps the socket.io connections of one user', async () => {
    const { host } = await meetingWithHost(ctx.app);
    const cookie = host.client.cookieHeader();
    await Promise.all([connect(cookie), connect(cookie), connect(cookie)]);
    await expect(connect(cookie)).rejects.toThrow(/too_many_connections/);
    sockets.at(-2)!.disconnect();
    await new Promise((r) => setTimeout(r, 50));
    await connect(cookie);
  });
});

describe(`expiry of watched sessions (${testDriver})`, () => {
  it('closes what expired and keeps what slid forward meanwhile', async () => {
    const db = ctx.deps.db;
    await db.insert(users).values({ id: 'expiry-user', name: '到期' }).onConflictDoNothing();
    const soon = new Date(Date.now() + 300);
    const [expiring, renewed] = [generateSessionToken(), generateSessionToken()];
    for (const token of [expiring, renewed]) await createSession(db, token, 'expiry-user', new Date(soon.getTime() - 30 * 24 * 3600_000));
    // The second one was used over HTTP meanwhile: its expiry moved on.
    await db.update(sessions).set({ expiresAt: new Date(Date.now() + 3600_000) }).where(eq(sessions.id, sessionIdFromToken(renewed)));
    const watch = new LiveSessions({ db }, createLogger('silent'));
    const closed: string[] = [];
    watch.watch(sessionIdFromToken(expiring), soon, () => closed.push('expiring'));
    watch.watch(sessionIdFromToken(renewed), soon, () => closed.push('renewed'));
    await new Promise((r) => setTimeout(r, 800));
    watch.close();
    expect(closed).toEqual(['expiring']);
    expect(watch.size).toBe(1);
  });

  it('a session deleted without an announcement (Redis away) is closed by the sweep', async () => {
    const db = ctx.deps.db;
    await db.insert(users).values({ id: 'sweep-user', name: '清理' }).onConflictDoNothing();
    const token = generateSessionToken();
    const session = await createSession(db, token, 'sweep-user');
    const watch = new LiveSessions({ db }, createLogger('silent'), 100);
    const closed = new Promise<void>((done) => watch.watch(session.id, session.expiresAt, done));
    await db.delete(sessions).where(eq(sessions.id, session.id));
    await closed;
    watch.close();
    expect(watch.size).toBe(0);
  });
});
