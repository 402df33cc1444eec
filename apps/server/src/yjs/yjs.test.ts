import { eq, sql } from 'drizzle-orm';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docSnapshots, docUpdates, meetings } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import {
  agendaOf,
  createAgendaItem,
  moveItem,
  readAgenda,
  updateAgendaItem,
  YJS_CLOSE,
} from '@yishi/model';
import {
  createTestContext,
  joinedGuest,
  listeningServer,
  meetingWithHost,
  signedUp,
  type TestContext,
} from '../testing.ts';
import type { YishiServer } from '../server.ts';
import { createYjsLayer, type YjsLayer } from './layer.ts';
import { awarenessMessage, updateMessage } from './protocol.ts';
import { encodeAwareness } from './awareness.ts';
import { connectPeer, rawSocket, until, waitFor, type TestPeer } from './testing.ts';

const MAX_BYTES = 256 * 1024;
let ctx: TestContext;
let layer: YjsLayer;
let yishi: YishiServer;
let wsUrl: string;
const peers: TestPeer[] = [];

beforeAll(async () => {
  // Each provider adds a process 'exit' listener.
  process.setMaxListeners(100);
  ctx = await createTestContext({ YJS_MAX_MESSAGE_BYTES: String(MAX_BYTES) });
  const server = await listeningServer(ctx, [
    (_s, deps) => (layer = createYjsLayer(deps, { heartbeatMs: 0 })),
  ]);
  yishi = server.yishi;
  wsUrl = server.wsUrl;
});
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await yishi.close();
  await ctx.dispose();
});

function peer(
  meetingId: string,
  cookie: string,
  options?: Parameters<typeof connectPeer>[3],
): TestPeer {
  const p = connectPeer(wsUrl, meetingId, cookie, options);
  peers.push(p);
  return p;
}

const titles = (doc: Y.Doc) => readAgenda(doc).items.map((i) => i.title);
const logRows = async (meetingId: string) =>
  (
    await ctx.deps.db
      .select({ id: docUpdates.id })
      .from(docUpdates)
      .where(eq(docUpdates.meetingId, meetingId))
  ).length;

/** A meeting with a host and `guests` joined guests, each with their cookie. */
async function meeting(guests = 1, kind = 'building-talk') {
  const { host, meeting } = await meetingWithHost(ctx.app, kind);
  const others = [];
  for (let i = 0; i < guests; i++)
    others.push(await joinedGuest(ctx.app, meeting.joinCode, `樓長${i + 1}`));
  return { host, meetingId: meeting.id, hostCookie: host.client.cookieHeader(), guests: others };
}

/** Proves the server still serves: a fresh editor's change reaches another fresh peer. */
async function assertHealthy() {
  const m = await meeting(1, 'general');
  const a = peer(m.meetingId, m.hostCookie);
  const b = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
  await Promise.all([a.synced, b.synced]);
  createAgendaItem(a.doc, { title: '健康检查' });
  await waitFor(b.doc, () => titles(b.doc).includes('健康检查'), 'healthy edit');
}

describe(`yjs live layer on ${testDriver}`, () => {
  it('a new meeting’s agenda template is in its creator’s language (zh-CN, zh-TW, en)', async () => {
    const expected: Record<string, string[]> = {
      'zh-CN': ['上次事项推进', '各楼栋反映问题', '议定事项', '其他'],
      'zh-HK,zh;q=0.8': ['上次事項推進', '各樓棟反映問題', '議定事項', '其他'],
      'en-GB,en;q=0.9': ['Progress on last time’s matters', 'Issues raised by each building', 'Decisions', 'Other business'],
    };
    for (const [language, agenda] of Object.entries(expected)) {
      const host = await signedUp(ctx.app, 'Li', { 'accept-language': language });
      const community = await host.client.post('/api/communities', { name: 'Binhu' });
      const created = await host.client.post('/api/meetings', { communityId: community.json.id, title: 'November', kind: 'building-talk' });
      expect(created.status).toBe(201);
      const p = peer(created.json.id, host.client.cookieHeader());
      await p.synced;
      expect(titles(p.doc)).toEqual(agenda);
    }
  });

  it('two and three stock providers converge on agenda edits, starting from the seeded template', async () => {
    const m = await meeting(2);
    const [a, b, c] = [
      m.hostCookie,
      m.guests[0]!.client.cookieHeader(),
      m.guests[1]!.client.cookieHeader(),
    ].map((cookie) => peer(m.meetingId, cookie)) as [TestPeer, TestPeer, TestPeer];
    await Promise.all([a.synced, b.synced]);
    expect(titles(a.doc)).toEqual(['上次事项推进', '各楼栋反映问题', '议定事项', '其他']);
    const id = createAgendaItem(a.doc, { title: '文明养宠', minutes: 10 });
    await waitFor(b.doc, () => titles(b.doc).includes('文明养宠'), 'b sees a');
    updateAgendaItem(b.doc, id, { title: '文明养宠（草坪）', status: 'discussing' });
    await waitFor(c.doc, () => titles(c.doc).includes('文明养宠（草坪）'), 'c sees b');
    expect(moveItem(c.doc, id, 0)).toBe(true);
    const expected = ['文明养宠（草坪）', '上次事项推进', '各楼栋反映问题', '议定事项', '其他'];
    for (const p of [a, b, c])
      await waitFor(p.doc, () => titles(p.doc).join() === expected.join(), 'convergence');
    expect(readAgenda(a.doc)).toEqual(readAgenda(b.doc));
    expect(readAgenda(b.doc)).toEqual(readAgenda(c.doc));
    expect(readAgenda(layer.rooms.get(m.meetingId)!.doc)).toEqual(readAgenda(a.doc));
  });

  it('seeds each kind once: a second client sees the same template, not a second copy', async () => {
    const m = await meeting(1, 'salon');
    const a = peer(m.meetingId, m.hostCookie);
    const b = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
    await Promise.all([a.synced, b.synced]);
    expect(titles(a.doc)).toEqual(['破冰', '各方分享', '督导点评', '领导寄语']);
    expect(readAgenda(b.doc)).toEqual(readAgenda(a.doc));
  });

  it('no session → 4401, and the provider stops reconnecting', async () => {
    const m = await meeting(0);
    const anonymous = peer(m.meetingId, '');
    expect((await anonymous.closed).code).toBe(YJS_CLOSE.unauthenticated);
    const forged = peer(m.meetingId, 'yishi_session=forged-token');
    expect((await forged.closed).code).toBe(YJS_CLOSE.unauthenticated);
    expect(anonymous.provider.shouldConnect).toBe(false);
    await assertHealthy();
  });

  it('not a participant (or no such meeting) → 4403', async () => {
    const m = await meeting(0);
    const other = await meeting(1);
    const stranger = peer(m.meetingId, other.guests[0]!.client.cookieHeader());
    expect((await stranger.closed).code).toBe(YJS_CLOSE.forbidden);
    const nowhere = peer('nosuchmeeting', m.hostCookie);
    expect((await nowhere.closed).code).toBe(YJS_CLOSE.forbidden);
    const badId = rawSocket(wsUrl, '..%2Fetc', m.hostCookie);
    expect((await badId.closed).code).toBe(YJS_CLOSE.forbidden);
    await assertHealthy();
  });

  it('a foreign Origin is refused with HTTP 403 before any websocket exists', async () => {
    const m = await meeting(0);
    const raw = rawSocket(wsUrl, m.meetingId, m.hostCookie, 'https://evil.example');
    expect(await raw.unexpected).toBe(403);
    const own = peer(m.meetingId, m.hostCookie, { origin: 'http://yishi.test' });
    await own.synced;
    await assertHealthy();
  });

  it('an observer reads; its awareness may describe only itself; a write is refused with 4409, never stored', async () => {
    const m = await meeting(1);
    const guest = m.guests[0]!;
    const changed = await m.host.client.patch(
      `/api/meetings/${m.meetingId}/participants/${guest.userId}`,
      { role: 'observer' },
    );
    expect(changed.status).toBe(200);
    const host = peer(m.meetingId, m.hostCookie);
    const observer = peer(m.meetingId, guest.client.cookieHeader());
    await Promise.all([host.synced, observer.synced]);
    // The observer reads: the host's edit reaches it.
    createAgendaItem(host.doc, { title: '主持人的修改' });
    await waitFor(
      observer.doc,
      () => titles(observer.doc).includes('主持人的修改'),
      'observer reads',
    );
    // Its own awareness is fine…
    observer.provider.awareness.setLocalStateField('user', { name: '旁听' });
    await until(
      () => host.provider.awareness.getStates().get(observer.doc.clientID)?.user?.name === '旁听',
      'observer awareness',
    );
    // …but not someone else's.
    const raw = rawSocket(wsUrl, m.meetingId, guest.client.cookieHeader());
    await raw.opened;
    const droppedAwareness = layer.stats.droppedAwareness;
    raw.ws.send(
      awarenessMessage(
        encodeAwareness([
          { clientId: host.doc.clientID, clock: 999, state: '{"user":{"name":"冒充"}}' },
        ]),
      ),
    );
    await until(() => layer.stats.droppedAwareness > droppedAwareness, 'spoofed awareness dropped');
    expect(host.provider.awareness.getStates().get(host.doc.clientID)?.user?.name).not.toBe('冒充');
    raw.ws.close();

    // A write is not dropped quietly: the observer's connection is told (4409) and nothing is kept.
    const rowsBefore = await logRows(m.meetingId);
    const droppedBefore = layer.stats.droppedUpdates;
    createAgendaItem(observer.doc, { title: '旁听者的修改' });
    expect(await observer.closed).toMatchObject({ code: YJS_CLOSE.readOnly });
    expect(layer.stats.droppedUpdates).toBe(droppedBefore + 1);
    const room = layer.rooms.get(m.meetingId)!;
    await room.settled();
    expect(titles(room.doc)).not.toContain('旁听者的修改');
    expect(titles(host.doc)).not.toContain('旁听者的修改');
    expect(await logRows(m.meetingId)).toBe(rowsBefore);
  });

  it('a role change while connected is told (4001), and the reconnected observer’s write is refused (4409)', async () => {
    const m = await meeting(1);
    const guest = m.guests[0]!;
    const host = peer(m.meetingId, m.hostCookie);
    const member = peer(m.meetingId, guest.client.cookieHeader());
    await Promise.all([host.synced, member.synced]);
    createAgendaItem(member.doc, { title: '降级前' });
    await waitFor(host.doc, () => titles(host.doc).includes('降级前'), 'edit before demotion');
    await m.host.client.patch(`/api/meetings/${m.meetingId}/participants/${guest.userId}`, {
      role: 'observer',
    });
    const room = layer.rooms.get(m.meetingId)!;
    await until(() => member.closes.some((c) => c.code === YJS_CLOSE.rightsChanged), 'told its rights changed');
    // The stock provider reconnects by itself, now as an observer, and still reads.
    await until(() => member.provider.synced && member.provider.wsconnected, 'reconnected');
    createAgendaItem(host.doc, { title: '降级后主持人' });
    await waitFor(member.doc, () => titles(member.doc).includes('降级后主持人'), 'still reads');
    const dropped = layer.stats.droppedUpdates;
    createAgendaItem(member.doc, { title: '降级后最后一次' });
    expect(await member.closed).toMatchObject({ code: YJS_CLOSE.readOnly });
    expect(layer.stats.droppedUpdates).toBe(dropped + 1);
    await room.settled();
    expect(titles(room.doc)).not.toContain('降级后最后一次');
  });

  it('a message over the size cap closes that connection with 1009', async () => {
    const m = await meeting(1);
    const bystander = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
    await bystander.synced;
    const rowsBefore = await logRows(m.meetingId);
    const raw = rawSocket(wsUrl, m.meetingId, m.hostCookie);
    await raw.opened;
    raw.ws.send(new Uint8Array(MAX_BYTES + 1));
    expect((await raw.closed).code).toBe(YJS_CLOSE.messageTooBig);
    expect(await logRows(m.meetingId)).toBe(rowsBefore);
    createAgendaItem(bystander.doc, { title: '旁观者仍在线' });
    await until(
      () => titles(layer.rooms.get(m.meetingId)!.doc).includes('旁观者仍在线'),
      'bystander still served',
    );
    await assertHealthy();
  });

  it('garbage and hostile messages close with 4400 and touch nothing stored', async () => {
    const m = await meeting(1);
    const bystander = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
    await bystander.synced;
    const room = layer.rooms.get(m.meetingId)!;
    const stateBefore = Y.encodeStateAsUpdate(room.doc);
    const rowsBefore = await logRows(m.meetingId);
    const encode = (f: (e: encoding.Encoder) => void) => {
      const e = encoding.createEncoder();
      f(e);
      return encoding.toUint8Array(e);
    };
    const hostile: (Uint8Array | string)[] = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      new Uint8Array([9]),
      new Uint8Array([0, 7, 1, 2]),
      updateMessage(new Uint8Array([5, 200, 3, 99, 1, 2, 3])),
      updateMessage(crypto.getRandomValues(new Uint8Array(300))),
      // A valid update with trailing bytes.
      new Uint8Array([...updateMessage(Y.encodeStateAsUpdate(new Y.Doc())), 1, 2, 3]),
      encode((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(
          e,
          encodeAwareness([{ clientId: 1, clock: 1, state: '{not json' }]),
        );
      }),
      'a text frame',
    ];
    for (const bytes of hostile) {
      const raw = rawSocket(wsUrl, m.meetingId, m.hostCookie);
      await raw.opened;
      raw.ws.send(bytes);
      expect((await raw.closed).code, `for ${String(bytes).slice(0, 40)}`).toBe(
        YJS_CLOSE.invalidMessage,
      );
    }
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(stateBefore);
    expect(await logRows(m.meetingId)).toBe(rowsBefore);
    expect(bystander.closes).toEqual([]);
    createAgendaItem(bystander.doc, { title: '一切正常' });
    await until(() => titles(room.doc).includes('一切正常'), 'bystander still served');
    await assertHealthy();
  });

  it('group commit: a burst of updates costs fewer round trips than updates', async () => {
    const m = await meeting(1);
    const watcher = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
    await watcher.synced;
    const raw = rawSocket(wsUrl, m.meetingId, m.hostCookie);
    await raw.opened;
    // A local doc that knows the server state, so its updates apply cleanly.
    const local = new Y.Doc();
    Y.applyUpdate(local, Y.encodeStateAsUpdate(watcher.doc));
    const updates: Uint8Array[] = [];
    local.on('update', (u: Uint8Array) => updates.push(u));
    const N = 50;
    for (let i = 0; i < N; i++) createAgendaItem(local, { title: `议题${i}` });
    const before = { ...layer.persistence.stats };
    for (const u of updates) raw.ws.send(updateMessage(u));
    await waitFor(watcher.doc, () => titles(watcher.doc).includes(`议题${N - 1}`), 'burst arrives');
    const batches = layer.persistence.stats.appendBatches - before.appendBatches;
    expect(layer.persistence.stats.appendedUpdates - before.appendedUpdates).toBe(N);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(N);
    expect(titles(watcher.doc).filter((t) => t.startsWith('议题'))).toHaveLength(N);
    raw.ws.close();
  });

  it('many simultaneous connects load the room once; the last to leave unloads and compacts it', async () => {
    const m = await meeting(11, 'weekly-office');
    const loadsBefore = layer.persistence.stats.loads;
    const cookies = [m.hostCookie, ...m.guests.map((g) => g.client.cookieHeader())];
    const crowd = cookies.map((cookie) => peer(m.meetingId, cookie));
    await Promise.all(crowd.map((p) => p.synced));
    expect(layer.persistence.stats.loads - loadsBefore).toBe(1);
    createAgendaItem(crowd[0]!.doc, { title: '最后一项' });
    await Promise.all(
      crowd.map((p) => waitFor(p.doc, () => titles(p.doc).includes('最后一项'), 'crowd sees')),
    );
    const expected = readAgenda(crowd[0]!.doc);
    for (const p of crowd) p.provider.disconnect();
    await until(() => layer.rooms.get(m.meetingId) === undefined, 'room unloaded');
    await layer.rooms.idle();
    expect(await logRows(m.meetingId)).toBe(0);
    const [snapshot] = await ctx.deps.db
      .select()
      .from(docSnapshots)
      .where(eq(docSnapshots.meetingId, m.meetingId));
    expect(snapshot).toBeDefined();
    const again = peer(m.meetingId, m.hostCookie);
    await again.synced;
    expect(readAgenda(again.doc)).toEqual(expected);
  });

  it('loading a long log (left by a crash) compacts it in the background while serving', async () => {
    const m = await meeting(0, 'general');
    const writer = new Y.Doc();
    const updates: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => updates.push(u));
    const id = createAgendaItem(writer, { title: '' });
    const title = () => writer.getArray<Y.Map<unknown>>('agenda').get(0).get('title') as Y.Text;
    for (let i = 0; i < 700; i++) title().insert(i, '字');
    await Promise.all(updates.map((u) => layer.persistence.append(m.meetingId, u)));
    expect(await logRows(m.meetingId)).toBeGreaterThanOrEqual(700);
    const reader = peer(m.meetingId, m.hostCookie);
    await reader.synced;
    expect(readAgenda(reader.doc).items.find((item) => item.id === id)?.title).toBe('字'.repeat(700));
    await until(async () => (await logRows(m.meetingId)) < 10, 'log compacted after load');
  });

  it('at most N connections per user: the next is closed with a retryable code', async () => {
    const m = await meeting(0);
    const open = Array.from({ length: 8 }, () => peer(m.meetingId, m.hostCookie));
    await Promise.all(open.map((p) => p.synced));
    const ninth = rawSocket(wsUrl, m.meetingId, m.hostCookie);
    expect((await ninth.closed).code).toBe(YJS_CLOSE.tooManyConnections);
    for (const p of open) p.provider.disconnect();
    await until(
      () => layer.stats.connections === 0 || layer.rooms.get(m.meetingId) === undefined,
      'slots freed',
    );
    const later = peer(m.meetingId, m.hostCookie);
    await later.synced;
  });

  it('a failed database write closes the writer (4500) and broadcasts nothing', async () => {
    const m = await meeting(1);
    const writer = peer(m.meetingId, m.hostCookie);
    const reader = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
    await Promise.all([writer.synced, reader.synced]);
    const room = layer.rooms.get(m.meetingId)!;
    // The meeting disappears under the open room: the next insert violates its foreign key.
    await ctx.deps.db.delete(meetings).where(eq(meetings.id, m.meetingId));
    createAgendaItem(writer.doc, { title: '写不进去' });
    await until(() => writer.closes.length > 0, 'writer closed');
    expect(writer.closes[0]!.code).toBe(YJS_CLOSE.storageFailed);
    expect(titles(room.doc)).not.toContain('写不进去');
    expect(titles(reader.doc)).not.toContain('写不进去');
    // Reconnecting finds no meeting any more.
    expect((await writer.closed).code).toBe(YJS_CLOSE.forbidden);
    await assertHealthy();
  });

  it('awareness: each provider sees the others, and leaving removes them', async () => {
    const m = await meeting(1);
    const a = peer(m.meetingId, m.hostCookie);
    const b = peer(m.meetingId, m.guests[0]!.client.cookieHeader());
    a.provider.awareness.setLocalStateField('user', { name: '李书记', device: 'projector' });
    b.provider.awareness.setLocalStateField('user', { name: '王樓長', device: 'tablet' });
    await until(
      () => a.provider.awareness.getStates().get(b.doc.clientID)?.user?.name === '王樓長',
      'a sees b',
    );
    await until(
      () => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === '李书记',
      'b sees a',
    );
    b.provider.disconnect();
    await until(() => !a.provider.awareness.getStates().has(b.doc.clientID), 'b left');
  });

  it('awareness changes arriving together go out together: one message per peer, not one per change', async () => {
    const m = await meeting(6);
    const watcher = peer(m.meetingId, m.hostCookie);
    const crowd = m.guests.map((g) => peer(m.meetingId, g.client.cookieHeader()));
    await Promise.all([watcher.synced, ...crowd.map((p) => p.synced)]);
    const seesAll = (field: string) => () =>
      crowd.every((p, i) => watcher.provider.awareness.getStates().get(p.doc.clientID)?.user?.name === `${field}${i + 1}`);
    // A first state (an empty one at clock 0 is never announced, by y-protocols' design).
    for (const [i, p] of crowd.entries()) p.provider.awareness.setLocalStateField('user', { name: `到場${i + 1}` });
    await until(seesAll('到場'), 'everyone present');
    let messages = 0;
    watcher.provider.awareness.on('update', (_: unknown, origin: unknown) => origin !== 'local' && messages++);
    // Everyone renews their presence in the same instant (as tablets do every 15 s).
    for (const [i, p] of crowd.entries()) p.provider.awareness.setLocalStateField('user', { name: `樓長${i + 1}` });
    await until(seesAll('樓長'), 'watcher sees every renewal');
    expect(messages).toBeLessThan(crowd.length);
  });

  it('the first sync, encoded once for a crowd, is never stale: a tablet joining after an edit or a new presence gets it', async () => {
    const m = await meeting(3);
    const [cookieA, cookieB, cookieC] = m.guests.map((g) => g.client.cookieHeader()) as [string, string, string];
    // Two fresh tablets at once share the encoded document and presence.
    const first = [peer(m.meetingId, m.hostCookie), peer(m.meetingId, cookieA)];
    await Promise.all(first.map((p) => p.synced));
    first[0]!.provider.awareness.setLocalStateField('user', { name: '李书记' });
    await until(() => first[1]!.provider.awareness.getStates().get(first[0]!.doc.clientID)?.user?.name === '李书记', 'presence');
    const b = peer(m.meetingId, cookieB);
    await b.synced;
    expect(titles(b.doc)).toEqual(titles(first[0]!.doc));
    await until(() => b.provider.awareness.getStates().get(first[0]!.doc.clientID)?.user?.name === '李书记', 'b sees the host at once');
    // An edit and a changed presence after that: the next fresh tablet's first sync carries both.
    createAgendaItem(first[0]!.doc, { title: '加装电梯' });
    first[0]!.provider.awareness.setLocalStateField('user', { name: '李书记（主持）' });
    await waitFor(b.doc, () => titles(b.doc).includes('加装电梯'), 'b sees the edit');
    await until(() => b.provider.awareness.getStates().get(first[0]!.doc.clientID)?.user?.name === '李书记（主持）', 'b sees the new presence');
    const c = peer(m.meetingId, cookieC);
    await c.synced;
    expect(titles(c.doc)).toContain('加装电梯');
    await until(() => c.provider.awareness.getStates().get(first[0]!.doc.clientID)?.user?.name === '李书记（主持）', 'c sees the new presence');
  });

  it('stores the agenda as the contract pins it', async () => {
    const m = await meeting(0, 'joint');
    const a = peer(m.meetingId, m.hostCookie);
    await a.synced;
    const item = agendaOf(a.doc).get(0);
    expect(item.get('title')).toBeInstanceOf(Y.Text);
    expect(a.doc.getMap('meta').get('focus')).toBeNull();
    const count = await ctx.deps.db.execute(
      sql`select count(*)::int as n from doc_updates where meeting_id = ${m.meetingId}`,
    );
    const rows = (Array.isArray(count) ? count : (count as { rows: { n: number }[] }).rows) as {
      n: number;
    }[];
    expect(rows[0]!.n).toBe(1);
  });
});
