import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { docQuarantine, docSnapshots, docUpdates, type Db } from '@yishi/db';
import { GroupCommit } from './groupCommit.ts';

/** A loaded document and the size of the log behind it (for size-triggered compaction). */
export interface LoadedDoc {
  doc: Y.Doc;
  /** Logged updates not yet in the snapshot. */
  logCount: number;
  logBytes: number;
}

export interface CompactResult {
  /** Updates merged into the snapshot and deleted from the log. */
  merged: number;
  /** Size of the snapshot now. */
  snapshotBytes: number;
  /** True when the batch was full: more of the log is left to merge. */
  more: boolean;
}

/** Counters, so tests can check behaviour (batching, dedupe) without timing. */
export interface PersistenceStats {
  loads: number;
  /** Multi-row inserts of the update log (round trips). */
  appendBatches: number;
  appendedUpdates: number;
  failedAppends: number;
  compactions: number;
  /** Log rows merged into snapshots (and deleted) by this process. */
  mergedUpdates: number;
}

/** Where meeting documents live. The Yjs layer neither knows nor cares what is underneath. */
export interface DocPersistence {
  /**
   * Loads a document. `prepare` runs on it under the per-meeting lock (seed or migrate); the
   * update it returns is logged in the same transaction, so it happens exactly once everywhere.
   */
  load(meetingId: string, prepare?: (doc: Y.Doc) => Uint8Array | null): Promise<LoadedDoc>;
  /** Reads the stored document without locking or seeding (for minutes and re-syncs). */
  read(meetingId: string): Promise<Y.Doc>;
  /** Appends an update to the log; resolves once it is durable (group-committed). */
  append(meetingId: string, update: Uint8Array): Promise<void>;
  /** Merges the log into the snapshot and deletes the merged updates. */
  compact(meetingId: string): Promise<CompactResult>;
  /** Moves a logged update that could not be applied out of the log, into doc_quarantine. */
  setAside(meetingId: string, update: Uint8Array, reason: string): Promise<void>;
  /** Resolves when every append submitted so far has settled. */
  drain(): Promise<void>;
  readonly stats: PersistenceStats;
}

export interface PgPersistenceOptions {
  /** Called for stored state that cannot be applied (an update id, or null for the snapshot): set aside, not fatal. */
  onCorruptUpdate?(meetingId: string, id: number | null, error: unknown): void;
  /** Most updates merged per compaction transaction. */
  compactBatch?: number;
}

// postgres.js binds only Buffers as bytea; PGlite takes both.
const asBuffer = (u: Uint8Array) =>
  Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Stored state that failed to load: a log row (its id) or the snapshot (id null). */
export interface Rejected {
  id: number | null;
  bytes: Uint8Array;
  reason: string;
}

const reasonOf = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : 'could not be applied').slice(0, 500);

/**
 * Applies a snapshot and log rows to a fresh document. Fast path: one Yjs transaction for the whole
 * log (per-update transactions cost ~10 µs each in observer and cleanup work: 50,000 rows load in
 * ~300 ms instead of ~600 ms). If anything throws (a poisoned row can overflow the stack while Yjs
 * collects what it deleted), the slow path applies the rows one by one, and rebuilds without each
 * row that throws, because a throw can leave the document half-changed. Never throws.
 */
export function buildDoc(snapshot: Uint8Array | null, rows: readonly { id: number; update: Uint8Array }[]): { doc: Y.Doc; rejected: Rejected[] } {
  const fast = new Y.Doc();
  try {
    fast.transact(() => {
      if (snapshot) Y.applyUpdate(fast, snapshot);
      for (const row of rows) Y.applyUpdate(fast, row.update);
    });
    return { doc: fast, rejected: [] };
  } catch {
    fast.destroy();
  }
  const rejected: Rejected[] = [];
  let base: Uint8Array | null = snapshot;
  const good: (typeof rows)[number][] = [];
  const fresh = () => {
    const doc = new Y.Doc();
    if (base) Y.applyUpdate(doc, base);
    for (const row of good) Y.applyUpdate(doc, row.update);
    return doc;
  };
  let doc: Y.Doc;
  try {
    doc = fresh();
  } catch (error) {
    rejected.push({ id: null, bytes: snapshot!, reason: reasonOf(error) });
    base = null;
    doc = fresh();
  }
  for (const row of rows) {
    try {
      Y.applyUpdate(doc, row.update);
      good.push(row);
    } catch (error) {
      rejected.push({ id: row.id, bytes: row.update, reason: reasonOf(error) });
      doc.destroy();
      doc = fresh();
    }
  }
  return { doc, rejected };
}

/**
 * A meeting's stored state: the snapshot, then every update still in the log (re-applying one
 * already merged is a no-op). State that cannot be applied is reported and left out, never fatal
 * (`setAsideRejected` moves it to doc_quarantine).
 */
export async function readStoredState(
  tx: Pick<Db, 'select'>,
  meetingId: string,
  options: Pick<PgPersistenceOptions, 'onCorruptUpdate'> & { limit?: number } = {},
) {
  const [snapshot] = await tx
    .select()
    .from(docSnapshots)
    .where(eq(docSnapshots.meetingId, meetingId));
  const query = tx
    .select({ id: docUpdates.id, update: docUpdates.update })
    .from(docUpdates)
    .where(eq(docUpdates.meetingId, meetingId))
    .orderBy(asc(docUpdates.id));
  const rows = options.limit ? await query.limit(options.limit) : await query;
  const { doc, rejected } = buildDoc(snapshot?.state ?? null, rows);
  for (const r of rejected) options.onCorruptUpdate?.(meetingId, r.id, new Error(r.reason));
  const bytes = rows.reduce((sum, row) => sum + row.update.byteLength, 0);
  return { snapshot, rows, doc, bytes, rejected };
}

/** Moves state that failed to load into doc_quarantine (in the caller's transaction, under the meeting lock). */
export async function setAsideRejected(tx: Pick<Db, 'insert' | 'delete'>, meetingId: string, rejected: readonly Rejected[]): Promise<void> {
  for (const r of rejected) {
    await tx.insert(docQuarantine).values({
      meetingId,
      source: r.id === null ? 'snapshot' : 'update',
      originalId: r.id,
      bytes: asBuffer(r.bytes),
      reason: r.reason,
    });
    if (r.id === null) await tx.delete(docSnapshots).where(eq(docSnapshots.meetingId, meetingId));
    else await tx.delete(docUpdates).where(and(eq(docUpdates.meetingId, meetingId), eq(docUpdates.id, r.id)));
  }
}

/** Serializes work on one meeting across instances: load, seed and compaction take it. */
const lockMeeting = (tx: Pick<Db, 'execute'>, meetingId: string) =>
  tx.execute(sql`select pg_advisory_xact_lock(hashtext(${meetingId}))`);

/**
 * The update log and snapshots in Postgres or PGlite (tables doc_updates, doc_snapshots).
 *
 * Compaction deletes exactly the rows it merged (not "id ≤ X"), and loading applies the snapshot
 * plus every remaining row: with several instances a row with a smaller id can commit after a
 * larger one, and filtering on `id > up_to_id` could then skip it. Re-applying a row that is
 * already in the snapshot is a no-op in Yjs.
 */
export function createPgPersistence(db: Db, options: PgPersistenceOptions = {}): DocPersistence {
  const stats: PersistenceStats = {
    loads: 0,
    appendBatches: 0,
    appendedUpdates: 0,
    failedAppends: 0,
    compactions: 0,
    mergedUpdates: 0,
  };
  const compactBatch = options.compactBatch ?? 5000;
  const commit = new GroupCommit<{ meetingId: string; update: Uint8Array }>({
    sizeOf: (item) => item.update.byteLength,
    write: async (items) => {
      stats.appendBatches++;
      try {
        await db
          .insert(docUpdates)
          .values(items.map((i) => ({ meetingId: i.meetingId, update: asBuffer(i.update) })));
      } catch (error) {
        stats.failedAppends += items.length;
        throw error;
      }
      stats.appendedUpdates += items.length;
    },
  });

  const readState = (tx: Pick<Db, 'select'>, meetingId: string, limit?: number) =>
    readStoredState(tx, meetingId, { limit, onCorruptUpdate: options.onCorruptUpdate });

  return {
    stats,
    read: async (meetingId) => (await readState(db, meetingId)).doc,
    async load(meetingId, prepare) {
      stats.loads++;
      return db.transaction(async (tx) => {
        await lockMeeting(tx, meetingId);
        const { rows, doc, bytes, rejected } = await readState(tx, meetingId);
        // A meeting always loads: what does not apply is set aside for inspection (doc_quarantine).
        await setAsideRejected(tx, meetingId, rejected);
        const extra = prepare?.(doc) ?? null;
        if (extra) await tx.insert(docUpdates).values({ meetingId, update: asBuffer(extra) });
        return {
          doc,
          logCount: rows.length - rejected.length + (extra ? 1 : 0),
          logBytes: bytes + (extra?.byteLength ?? 0),
        };
      });
    },
    append(meetingId, update) {
      return commit.submit({ meetingId, update });
    },
    async compact(meetingId) {
      const result = await db.transaction(async (tx) => {
        await lockMeeting(tx, meetingId);
        // Nothing logged (the usual case when a quiet room unloads): skip decoding the snapshot.
        const [pending] = await tx
          .select({ id: docUpdates.id })
          .from(docUpdates)
          .where(eq(docUpdates.meetingId, meetingId))
          .limit(1);
        if (!pending) return { merged: 0, snapshotBytes: 0, more: false };
        const { snapshot, rows, doc, rejected } = await readState(tx, meetingId, compactBatch);
        await setAsideRejected(tx, meetingId, rejected);
        if (rows.length === 0) return { merged: 0, snapshotBytes: snapshot?.state.byteLength ?? 0, more: false };
        const state = Y.encodeStateAsUpdate(doc);
        doc.destroy();
        const upToId = Math.max(snapshot?.upToId ?? 0, ...rows.map((r) => r.id));
        await tx
          .insert(docSnapshots)
          .values({ meetingId, state: asBuffer(state), upToId })
          .onConflictDoUpdate({
            target: docSnapshots.meetingId,
            set: { state: asBuffer(state), upToId, updatedAt: sql`now()` },
          });
        const ids = rows.map((r) => r.id).filter((id) => !rejected.some((r) => r.id === id));
        for (let i = 0; i < ids.length; i += 1000) {
          await tx
            .delete(docUpdates)
            .where(
              and(
                eq(docUpdates.meetingId, meetingId),
                inArray(docUpdates.id, ids.slice(i, i + 1000)),
              ),
            );
        }
        return { merged: rows.length, snapshotBytes: state.byteLength, more: rows.length >= compactBatch };
      });
      if (result.merged) stats.compactions++;
      stats.mergedUpdates += result.merged;
      return result;
    },
    async setAside(meetingId, update, reason) {
      await db.transaction(async (tx) => {
        await lockMeeting(tx, meetingId);
        const rows = await tx
          .delete(docUpdates)
          .where(and(eq(docUpdates.meetingId, meetingId), eq(docUpdates.update, asBuffer(update))))
          .returning({ id: docUpdates.id });
        await tx.insert(docQuarantine).values({ meetingId, source: 'update', originalId: rows[0]?.id ?? null, bytes: asBuffer(update), reason: reason.slice(0, 500) });
      });
    },
    drain: () => commit.drain(),
  };
}
