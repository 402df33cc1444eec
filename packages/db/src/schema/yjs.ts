import { bigserial, index, bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { bytea, tstz } from './types.ts';
import { meetings } from './core.ts';

/** Append-only log of Yjs updates per meeting document, written before an update is broadcast. */
export const docUpdates = pgTable(
  'doc_updates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    update: bytea('update').notNull(),
  },
  (t) => [index('doc_updates_meeting_idx').on(t.meetingId, t.id)],
);

/**
 * Compacted state of a meeting document. Compaction merges the rows it read (the highest id is
 * upToId) and deletes exactly those; loading applies the snapshot plus every remaining row.
 */
export const docSnapshots = pgTable('doc_snapshots', {
  meetingId: text('meeting_id')
    .primaryKey()
    .references(() => meetings.id, { onDelete: 'cascade' }),
  state: bytea('state').notNull(),
  upToId: bigint('up_to_id', { mode: 'number' }).notNull(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/**
 * Stored document state that failed to load (a poisoned or corrupt update, or a snapshot), set
 * aside so the meeting still loads. Kept for inspection; nothing reads it back automatically.
 */
export const docQuarantine = pgTable(
  'doc_quarantine',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    /** 'update' (a doc_updates row) or 'snapshot' (a doc_snapshots state). */
    source: text('source').notNull(),
    /** The doc_updates id the bytes had (null for a snapshot). */
    originalId: bigint('original_id', { mode: 'number' }),
    bytes: bytea('bytes').notNull(),
    reason: text('reason').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('doc_quarantine_meeting_idx').on(t.meetingId)],
);
