import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docQuarantine, docSnapshots, docUpdates, openDatabase, type Database } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { createAgendaItem, prepareMeetingDoc, readAgenda, updateAgendaItem } from '@yishi/model';
import { createTestContext, meetingWithHost, type TestContext } from '../testing.ts';
import { GroupCommit } from './groupCommit.ts';
import { createPgPersistence } from './persistence.ts';
import { forgedDelete } from './testing.ts';

let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.dispose());

const newMeeting = async () => (await meetingWithHost(ctx.app, 'general')).meeting.id;
const rows = async (meetingId: string) =>
  ctx.deps.db
    .select({ id: docUpdates.id })
    .from(docUpdates)
    .where(eq(docUpdates.meetingId, meetingId));

/** n updates made by a local editor, and the doc they produce. */
function edits(n: number) {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0 || i < 2) createAgendaItem(doc, { title: `议题${i}` });
    else
      updateAgendaItem(doc, readAgenda(doc).items[i % 2]!.id, {
        title: `改名${i}`,
        minutes: i % 60,
      });
  }
  return { doc, updates };
}

describe('GroupCommit', () => {
  it('batches what arrives while a write is in flight and keeps order', async () => {
    const written: number[][] = [];
    let release: () => void = () => {};
    const commit = new GroupCommit<number>({
      write: async (items) => {
        written.push(items);
        if (written.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    const first = commit.submit(0);
    await Promise.resolve();
    await Promise.resolve();
    const rest = Array.from({ length: 20 }, (_, i) => commit.submit(i + 1));
    release();
    await Promise.all([first, ...rest]);
    expect(written).toEqual([[0], Array.from({ length: 20 }, (_, i) => i + 1)]);
  });

  it('a failing batch is retried one by one, so only the bad item is rejected', async () => {
    const commit = new GroupCommit<number>({
      write: async (items) => {
        if (items.includes(13)) throw new Error('bad row');
      },
    });
    const results = await Promise.allSettled([1, 13, 2].map((n) => commit.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe(`doc persistence on ${testDriver}`, () => {
  it('a burst of appends is group-committed and loads back to the same document', async () => {
    const meetingId = await newMeeting();
    const persistence = createPgPersistence(ctx.deps.db);
    const { doc, updates } = edits(60);
    await Promise.all(updates.map((u) => persistence.append(meetingId, u)));
    expect(persistence.stats.appendedUpdates).toBe(updates.length);
    expect(persistence.stats.appendBatches).toBeLessThan(updates.length);
    const loaded = await persistence.load(meetingId);
    expect(loaded.logCount).toBe(updates.length);
    expect(readAgenda(loaded.doc)).toEqual(readAgenda(doc));
  });

  it('compaction shrinks the log to nothing and keeps the document identical', async () => {
    const meetingId = await newMeeting();
    const persistence = createPgPersistence(ctx.deps.db);
    const { doc, updates } = edits(120);
    await Promise.all(updates.map((u) => persistence.append(meetingId, u)));
    const before = readAgenda((await persistence.load(meetingId)).doc);
    const result = await persistence.compact(meetingId);
    expect(result.merged).toBe(updates.length);
    expect(await rows(meetingId)).toHaveLength(0);
    const loaded = await persistence.load(meetingId);
    expect(readAgenda(loaded.doc)).toEqual(before);
    expect(readAgenda(loaded.doc)).toEqual(readAgenda(doc));
    expect(Y.encodeStateVector(loaded.doc)).toEqual(Y.encodeStateVector(doc));
    // Later updates land after the snapshot and load on top of it.
    const more = new Y.Doc();
    Y.applyUpdate(more, Y.encodeStateAsUpdate(doc));
    const extra: Uint8Array[] = [];
    more.on('update', (u: Uint8Array) => extra.push(u));
    createAgendaItem(more, { title: '快照之后' });
    for (const u of extra) await persistence.append(meetingId, u);
    expect(readAgenda((await persistence.load(meetingId)).doc).items.at(-1)?.title).toBe(
      '快照之后',
    );
    expect((await persistence.compact(meetingId)).merged).toBe(extra.length);
    expect((await persistence.compact(meetingId)).merged).toBe(0);
  });

  it('compacts a log longer than one batch in bounded rounds', async () => {
    const meetingId = await newMeeting();
    const persistence = createPgPersistence(ctx.deps.db, { compactBatch: 25 });
    const { doc, updates } = edits(60);
    await Promise.all(updates.map((u) => persistence.append(meetingId, u)));
    const rounds: boolean[] = [];
    for (;;) {
      const { merged, more } = await persistence.compact(meetingId);
      expect(merged).toBeLessThanOrEqual(25);
      rounds.push(more);
      if (!more) break;
    }
    expect(rounds).toEqual([true, true, false]);
    expect(await rows(meetingId)).toHaveLength(0);
    expect(readAgenda((await persistence.load(meetingId)).doc)).toEqual(readAgenda(doc));
  });

  it('two instances compacting and appending at once lose nothing', async () => {
    const meetingId = await newMeeting();
    // A second instance: its own connection pool on Postgres, the same engine on PGlite.
    let second: Database | null = null;
    if (ctx.database.url)
      second = await openDatabase({ databaseUrl: ctx.database.url, poolSize: 3 });
    try {
      const a = createPgPersistence(ctx.deps.db);
      const b = createPgPersistence(second?.db ?? ctx.deps.db);
      const { doc, updates } = edits(200);
      const half = updates.length / 2;
      await Promise.all(updates.slice(0, half).map((u) => a.append(meetingId, u)));
      await Promise.all([
        a.compact(meetingId),
        b.compact(meetingId),
        ...updates.slice(half).map((u, i) => (i % 2 ? a : b).append(meetingId, u)),
        a.compact(meetingId),
        b.compact(meetingId),
      ]);
      await Promise.all([a.compact(meetingId), b.compact(meetingId)]);
      const [snapshot] = await ctx.deps.db
        .select()
        .from(docSnapshots)
        .where(eq(docSnapshots.meetingId, meetingId));
      expect(snapshot).toBeDefined();
      expect(await rows(meetingId)).toHaveLength(0);
      for (const p of [a, b]) {
        const loaded = await p.load(meetingId);
        expect(readAgenda(loaded.doc)).toEqual(readAgenda(doc));
        expect(Y.encodeStateVector(loaded.doc)).toEqual(Y.encodeStateVector(doc));
      }
    } finally {
      await second?.close();
    }
  });

  it('two instances loading a new meeting at once seed it exactly once', async () => {
    const meetingId = await newMeeting();
    let second: Database | null = null;
    if (ctx.database.url)
      second = await openDatabase({ databaseUrl: ctx.database.url, poolSize: 3 });
    try {
      const a = createPgPersistence(ctx.deps.db);
      const b = createPgPersistence(second?.db ?? ctx.deps.db);
      const prepare = (doc: Y.Doc) => prepareMeetingDoc(doc, 'building-talk');
      const [da, db] = await Promise.all([a.load(meetingId, prepare), b.load(meetingId, prepare)]);
      expect(await rows(meetingId)).toHaveLength(1);
      expect(readAgenda(da.doc).items).toHaveLength(4);
      expect(readAgenda(da.doc)).toEqual(readAgenda(db.doc));
    } finally {
      await second?.close();
    }
  });
});

describe(`a poisoned log still loads (${testDriver})`, () => {
  it('the 6,000-deep tree and the 10-byte delete that overflows the stack: the delete is set aside, the meeting loads, minutes read', async () => {
    const meetingId = await newMeeting();
    const persistence = createPgPersistence(ctx.deps.db);
    const editor = new Y.Doc();
    const updates: Uint8Array[] = [];
    editor.on('update', (u: Uint8Array) => updates.push(u));
    createAgendaItem(editor, { title: '正常的议题' });
    const id = createAgendaItem(editor, { title: '被毒化' });
    const item = editor.getArray<Y.Map<unknown>>('agenda').toArray().find((m) => m.get('id') === id)!;
    const notes = item.get('notes') as Y.XmlFragment;
    editor.transact(() => {
      let parent: Y.XmlFragment | Y.XmlElement = notes;
      for (let i = 0; i < 6000; i++) {
        const child = new Y.XmlElement('p');
        parent.insert(0, [child]);
        parent = child;
      }
      parent.insert(0, [new Y.XmlText('最深处')]);
    });
    // Deleting the top element (the editor itself would overflow: the update is written by hand).
    const top = (notes.get(0) as Y.XmlElement)._item!.id;
    const poison = forgedDelete(top.client, top.clock, 1);
    updates.push(poison);
    expect(poison.byteLength).toBeLessThan(16);
    createAgendaItem(editor, { title: '之后的议题' });
    // Written straight to the log, as an older version without the ingest guard would have.
    for (const u of updates) await persistence.append(meetingId, u);
    const loaded = await persistence.load(meetingId, (doc) => prepareMeetingDoc(doc, 'general'));
    const agenda = readAgenda(loaded.doc);
    expect(agenda.items.map((i) => i.title)).toEqual(expect.arrayContaining(['正常的议题', '被毒化', '之后的议题']));
    // The deep notes read as degraded text, not a stack overflow.
    expect(agenda.items.find((i) => i.title === '被毒化')!.notesText).toContain('最深处');
    const aside = await ctx.deps.db.select().from(docQuarantine).where(eq(docQuarantine.meetingId, meetingId));
    expect(aside.map((r) => [r.source, Buffer.from(r.bytes).equals(Buffer.from(poison))])).toEqual([['update', true]]);
    expect(aside[0]!.reason).toMatch(/stack|call/i);
    // Loading again is quick and clean: nothing else is set aside, and compaction keeps working.
    const again = await persistence.load(meetingId);
    expect(readAgenda(again.doc).items).toHaveLength(3);
    await persistence.compact(meetingId);
    expect(readAgenda(await persistence.read(meetingId)).items).toHaveLength(3);
    expect(await ctx.deps.db.select().from(docQuarantine).where(eq(docQuarantine.meetingId, meetingId))).toHaveLength(1);
  });
});
