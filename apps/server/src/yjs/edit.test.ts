import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDriver } from '@yishi/db/testing';
import { createAgendaItem, readAgenda } from '@yishi/model';
import { createTestContext, listeningServer, meetingWithHost, type TestContext } from '../testing.ts';
import type { YishiServer } from '../server.ts';
import { storedDocEdit } from './edit.ts';
import { createYjsLayer, type YjsLayer } from './layer.ts';
import { connectPeer, waitFor, type TestPeer } from './testing.ts';

let ctx: TestContext;
let layer: YjsLayer;
let yishi: YishiServer;
let wsUrl: string;
const peers: TestPeer[] = [];

beforeAll(async () => {
  process.setMaxListeners(100);
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [(_s, deps) => (layer = createYjsLayer(deps, { heartbeatMs: 0 }))]);
  yishi = server.yishi;
  wsUrl = server.wsUrl;
});
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await yishi.close();
  await ctx.dispose();
});

const titles = (doc: Parameters<typeof readAgenda>[0]) => readAgenda(doc).items.map((i) => i.title);

describe(`server-side document edits (${testDriver})`, () => {
  it('an edit on the server reaches connected clients live, and is stored', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const peer = connectPeer(wsUrl, meeting.id, host.client.cookieHeader());
    peers.push(peer);
    await peer.synced;
    const id = await ctx.deps.editDoc(meeting.id, { kind: 'building-talk' }, (doc) => createAgendaItem(doc, { title: '清理楼道杂物' }));
    expect(typeof id).toBe('string');
    await waitFor(peer.doc, () => titles(peer.doc).includes('清理楼道杂物'), 'the edit reaches the client');
    await layer.persistence.drain();
    const stored = await layer.persistence.read(meeting.id);
    expect(titles(stored)).toContain('清理楼道杂物');
    stored.destroy();
  });

  it('an edit of a meeting nobody has open loads it, stores the edit, and a later client sees it', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    await ctx.deps.editDoc(meeting.id, { kind: 'building-talk' }, (doc) => createAgendaItem(doc, { title: '文明养宠' }));
    await layer.rooms.idle();
    expect(layer.rooms.get(meeting.id)).toBeUndefined();
    const peer = connectPeer(wsUrl, meeting.id, host.client.cookieHeader());
    peers.push(peer);
    await peer.synced;
    expect(titles(peer.doc)).toContain('文明养宠');
  });

  it('an edit that changes nothing stores nothing', async () => {
    const { meeting } = await meetingWithHost(ctx.app);
    const before = layer.persistence.stats.appendedUpdates;
    expect(await ctx.deps.editDoc(meeting.id, { kind: 'building-talk' }, () => 42)).toBe(42);
    await layer.persistence.drain();
    expect(layer.persistence.stats.appendedUpdates).toBe(before);
  });

  it('without the Yjs layer, edits go straight into storage', async () => {
    const { meeting } = await meetingWithHost(ctx.app);
    const edit = storedDocEdit(layer.persistence);
    await edit(meeting.id, { kind: 'building-talk' }, (doc) => createAgendaItem(doc, { title: '规范停车' }));
    await layer.persistence.drain();
    const stored = await layer.persistence.read(meeting.id);
    expect(titles(stored)).toEqual(['规范停车']);
    stored.destroy();
  });
});
