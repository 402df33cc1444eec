import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { docUpdates } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { createAgendaItem, YJS_CLOSE } from '@yishi/model';
import { createTestContext, meetingWithHost, type TestContext } from '../testing.ts';
import { createPgPersistence } from './persistence.ts';
import { RoomManager } from './rooms.ts';
import type { RoomPeer } from './room.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.dispose());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A peer that only collects what the room sends (the room's side of a connection). */
const listener = (): RoomPeer & { received: number } => ({ received: 0, send() { this.received++; }, close() {} });

describe(`room compaction on ${testDriver}`, () => {
  it('waits for a pause in typing, unless the log grows far past the threshold', async () => {
    const { meeting } = await meetingWithHost(ctx.app, 'general');
    const persistence = createPgPersistence(ctx.deps.db);
    const rooms = new RoomManager(
      persistence,
      { compactAfterUpdates: 20, compactAfterBytes: 1 << 30, compactIdleMs: 400, storageFailedCode: YJS_CLOSE.storageFailed, invalidCode: YJS_CLOSE.invalidMessage },
      ctx.deps.logger,
    );
    const room = await rooms.acquire(meeting.id, { kind: 'general' });
    const logged = async () => (await ctx.deps.db.select({ id: docUpdates.id }).from(docUpdates).where(eq(docUpdates.meetingId, meeting.id))).length;
    const writer = new Y.Doc();
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(room.doc));
    const peer = listener();
    room.peers.add(peer);
    const type = async (n: number, gapMs: number) => {
      for (let i = 0; i < n; i++) {
        const before = Y.encodeStateVector(writer);
        createAgendaItem(writer, { title: `第${i}项` });
        await room.ingest(Y.encodeStateAsUpdate(writer, before), peer);
        await sleep(gapMs);
      }
    };
    const compactionsBefore = persistence.stats.compactions;
    // 30 updates 20 ms apart: past the threshold, but nobody paused.
    await type(30, 20);
    expect(persistence.stats.compactions).toBe(compactionsBefore);
    expect(await logged()).toBeGreaterThanOrEqual(30);
    // The pause comes: compacted within it.
    await sleep(700);
    await room.settled();
    expect(persistence.stats.compactions).toBe(compactionsBefore + 1);
    expect(await logged()).toBe(0);
    // 4 × the threshold without a pause: compacted anyway.
    await type(85, 2);
    await room.settled();
    expect(persistence.stats.compactions).toBe(compactionsBefore + 2);
    // Every edit was broadcast and the document is whole.
    expect(peer.received).toBeGreaterThanOrEqual(115);
    expect(room.doc.getArray('agenda').length).toBe(writer.getArray('agenda').length);
    room.peers.delete(peer);
    rooms.release(room);
    await rooms.idle();
  });
});
