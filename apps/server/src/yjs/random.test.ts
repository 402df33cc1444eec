import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { testDriver } from '@yishi/db/testing';
import {
  createAgendaItem,
  moveItem,
  readAgenda,
  removeAgendaItem,
  setFocus,
  sortedItems,
  updateAgendaItem,
  AGENDA_STATUSES,
} from '@yishi/model';
import {
  createTestContext,
  joinedGuest,
  listeningServer,
  meetingWithHost,
  type TestContext,
} from '../testing.ts';
import type { YishiServer } from '../server.ts';
import { createYjsLayer, type YjsLayer } from './layer.ts';
import { createPgPersistence } from './persistence.ts';
import { connectPeer, until, type TestPeer } from './testing.ts';

// In the style of Yjs's own randomized tests: a seeded PRNG drives several clients that edit,
// disconnect and reconnect; at the end every copy, and the stored one, must be identical.
const SEED = Number(process.env.YJS_SEED ?? 20251120);
const STEPS = Number(process.env.YJS_STEPS ?? 400);
const WORDS = [
  '停车',
  '养宠',
  '楼道',
  '电梯',
  '垃圾分类',
  '绿化',
  '物业费',
  '健身器材',
  '充电桩',
  '漏水',
];

let ctx: TestContext;
let layer: YjsLayer;
let yishi: YishiServer;
let wsUrl: string;
beforeAll(async () => {
  process.setMaxListeners(100);
  ctx = await createTestContext();
  // Compact often, so compaction runs while clients edit.
  const server = await listeningServer(ctx, [
    (_s, deps) => (layer = createYjsLayer(deps, { heartbeatMs: 0, compactAfterUpdates: 25 })),
  ]);
  yishi = server.yishi;
  wsUrl = server.wsUrl;
});
afterAll(async () => {
  await yishi.close();
  await ctx.dispose();
});

/** One random edit; only the host removes agenda items (the server refuses it from residents). */
function randomEdit(gen: prng.PRNG, doc: Y.Doc, isHost: boolean): void {
  const items = sortedItems(doc);
  const pick = () => items[prng.int32(gen, 0, items.length - 1)]!;
  const word = () => prng.oneOf(gen, WORDS);
  const op = prng.int32(gen, 0, 9);
  if (items.length === 0 || op === 0) {
    createAgendaItem(doc, {
      title: word(),
      after: items.length && prng.bool(gen) ? String(pick().get('id')) : undefined,
    });
    return;
  }
  const item = pick();
  const id = String(item.get('id'));
  const title = item.get('title');
  switch (op) {
    case 1:
    case 2:
      if (title instanceof Y.Text) title.insert(prng.int32(gen, 0, title.length), word());
      return;
    case 3:
      if (title instanceof Y.Text && title.length > 0) {
        const at = prng.int32(gen, 0, title.length - 1);
        title.delete(at, prng.int32(gen, 1, title.length - at));
      }
      return;
    case 4:
      updateAgendaItem(doc, id, {
        status: prng.oneOf(gen, [...AGENDA_STATUSES]),
        minutes: prng.int32(gen, 0, 60),
      });
      return;
    case 5:
      moveItem(doc, id, prng.int32(gen, 0, items.length - 1));
      return;
    case 6:
      if (isHost && items.length > 3) removeAgendaItem(doc, id);
      return;
    case 7:
    case 8: {
      const notes = item.get(prng.bool(gen) ? 'notes' : 'decision');
      if (notes instanceof Y.XmlFragment) {
        const paragraph = new Y.XmlElement('paragraph');
        paragraph.insert(0, [new Y.XmlText(`${word()}：${prng.word(gen, 1, 6)}`)]);
        notes.insert(prng.int32(gen, 0, notes.length), [paragraph]);
      }
      return;
    }
    default:
      setFocus(doc, prng.bool(gen) ? id : null);
  }
}

describe(`randomized editing on ${testDriver}`, () => {
  it(`${STEPS} steps of edits, disconnects and reconnects converge everywhere, including the database (seed ${SEED})`, async () => {
    const gen = prng.create(SEED);
    const { host, meeting } = await meetingWithHost(ctx.app, 'building-talk');
    const cookies = [host.client.cookieHeader()];
    for (let i = 0; i < 3; i++)
      cookies.push(
        (await joinedGuest(ctx.app, meeting.joinCode, `樓長${i}`)).client.cookieHeader(),
      );
    const clients: TestPeer[] = cookies.map((cookie) => connectPeer(wsUrl, meeting.id, cookie));
    await Promise.all(clients.map((c) => c.synced));
    let reconnects = 0;

    for (let step = 0; step < STEPS; step++) {
      const client = prng.oneOf(gen, clients);
      const online = client.provider.shouldConnect;
      const roll = prng.int32(gen, 0, 99);
      if (online && roll < 8) client.provider.disconnect();
      else if (!online && roll < 30) {
        client.provider.connect();
        reconnects++;
      } else randomEdit(gen, client.doc, client === clients[0]);
      // Let the network move sometimes, sometimes not (bursts).
      if (prng.int32(gen, 0, 3) === 0)
        await new Promise((r) => setTimeout(r, prng.int32(gen, 0, 4)));
    }

    for (const c of clients) c.provider.connect();
    const same = () => {
      const room = layer.rooms.get(meeting.id);
      if (!room) return false;
      const sv = Y.encodeStateVector(room.doc);
      return clients.every(
        (c) => c.provider.synced && Buffer.from(Y.encodeStateVector(c.doc)).equals(sv),
      );
    };
    await until(same, 'all clients converged with the server', 30_000);
    const expected = readAgenda(clients[0]!.doc);
    for (const c of clients) expect(readAgenda(c.doc)).toEqual(expected);
    expect(readAgenda(layer.rooms.get(meeting.id)!.doc)).toEqual(expected);
    expect(reconnects).toBeGreaterThan(10);
    expect(layer.persistence.stats.compactions).toBeGreaterThan(0);

    // Everyone leaves: the room is stored, compacted and unloaded; the stored doc is the same.
    const sv = Y.encodeStateVector(clients[0]!.doc);
    for (const c of clients) c.destroy();
    await until(() => !layer.rooms.get(meeting.id), 'room unloaded');
    await layer.rooms.idle();
    const stored = await createPgPersistence(ctx.deps.db).load(meeting.id);
    expect(readAgenda(stored.doc)).toEqual(expected);
    expect(Y.encodeStateVector(stored.doc)).toEqual(sv);
  });
});
