// The write allowance (probe finding: a guest poured 36 MB into an agenda title in 11 s with the
// stock provider, and the meeting took 16 s to open for good). Real server, stock providers.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docUpdates } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { createAgendaItem, readAgenda, YJS_CLOSE } from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, type TestContext } from '../testing.ts';
import type { YishiServer } from '../server.ts';
import { createYjsLayer, type YjsLayer } from './layer.ts';
import { connectPeer, until, waitFor, type TestPeer } from './testing.ts';

const BURST = 64 * 1024;
let ctx: TestContext;
let layer: YjsLayer;
let yishi: YishiServer;
let wsUrl: string;
const peers: TestPeer[] = [];

beforeAll(async () => {
  process.setMaxListeners(100);
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [
    // 64 KiB at once, 256 B/s after: small enough to reach in a test.
    (_s, deps) => (layer = createYjsLayer(deps, { heartbeatMs: 0, writeBurstBytes: BURST, writeBytesPerSecond: 256 })),
  ]);
  yishi = server.yishi;
  wsUrl = server.wsUrl;
});
afterAll(async () => {
  for (const p of peers) p.destroy();
  await yishi.close();
  await ctx.dispose();
});

function peer(meetingId: string, cookie: string): TestPeer {
  const p = connectPeer(wsUrl, meetingId, cookie);
  peers.push(p);
  return p;
}
const titles = (doc: Parameters<typeof readAgenda>[0]) => readAgenda(doc).items.map((i) => i.title);
const stored = async (meetingId: string) =>
  (await ctx.deps.db.select({ update: docUpdates.update }).from(docUpdates).where(eq(docUpdates.meetingId, meetingId))).reduce((n, r) => n + r.update.byteLength, 0);

describe(`the write allowance on ${testDriver}`, () => {
  it('refuses a guest’s flood with 4413, stores none of it, keeps the allowance across reconnects, and leaves others writing', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '王楼长');
    const hostPeer = peer(meeting.id, host.client.cookieHeader());
    const flooder = peer(meeting.id, guest.client.cookieHeader());
    await Promise.all([hostPeer.synced, flooder.synced]);
    const before = await stored(meeting.id);

    // One paste of 100 KB: over the whole burst, refused and told.
    createAgendaItem(flooder.doc, { title: '甲' });
    await waitFor(hostPeer.doc, () => titles(hostPeer.doc).includes('甲'), 'a small edit first');
    const big = flooder.doc.getArray('agenda');
    const item = big.get(big.length - 1) as import('yjs').Map<unknown>;
    (item.get('notes') as import('yjs').XmlFragment).insert(0, [new (await import('yjs')).XmlText('楼'.repeat(35_000))]);
    expect((await flooder.closed).code).toBe(YJS_CLOSE.writingTooFast);
    expect(layer.stats.overBudgetUpdates).toBeGreaterThanOrEqual(1);
    await layer.rooms.get(meeting.id)!.settled();
    expect(await stored(meeting.id)).toBeLessThan(before + 4096);

    // Reconnecting gives no fresh burst: two 36 KB edits, the second is over what is left.
    flooder.destroy();
    const again = peer(meeting.id, guest.client.cookieHeader());
    await again.synced;
    createAgendaItem(again.doc, { title: '乙'.repeat(10), presenter: '' });
    const notesOf = async (title: string) => {
      await waitFor(again.doc, () => titles(again.doc).some((t) => t.startsWith(title)), title);
      const items = again.doc.getArray('agenda').toArray() as import('yjs').Map<unknown>[];
      return items.find((m) => String(m.get('title')).startsWith(title))!.get('notes') as import('yjs').XmlFragment;
    };
    const Y = await import('yjs');
    (await notesOf('乙')).insert(0, [new Y.XmlText('会'.repeat(12_000))]);
    await waitFor(hostPeer.doc, () => JSON.stringify(hostPeer.doc.getArray('agenda').toJSON()).includes('会'.repeat(100)), 'first 36 KB taken');
    (await notesOf('乙')).insert(0, [new Y.XmlText('议'.repeat(12_000))]);
    expect((await again.closed).code).toBe(YJS_CLOSE.writingTooFast);
    await layer.rooms.get(meeting.id)!.settled();
    expect(JSON.stringify(hostPeer.doc.getArray('agenda').toJSON())).not.toContain('议'.repeat(100));

    // Everyone else still writes.
    createAgendaItem(hostPeer.doc, { title: '主持人照常' });
    const watcher = peer(meeting.id, host.client.cookieHeader());
    await watcher.synced;
    await until(() => titles(watcher.doc).includes('主持人照常'), 'host writes on');
    expect(JSON.stringify(watcher.doc.getArray('agenda').toJSON())).not.toContain('楼'.repeat(100));
  });
});
