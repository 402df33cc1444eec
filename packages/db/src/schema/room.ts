import { doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { meetings, users } from './core.ts';
import { tstz } from './types.ts';

/**
 * The speaker queue (發言排隊) of a meeting: one row per raised hand, at most one per person.
 * `speaking` marks the one who has the floor; a lowered or finished hand is deleted.
 * Stored in the database so a restart or another instance keeps the queue.
 */
export const speakerQueue = pgTable(
  'speaker_queue',
  {
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Display order among waiting hands (the facilitator may reorder). */
    position: doublePrecision('position').notNull(),
    state: text('state', { enum: ['waiting', 'speaking'] }).notNull().default('waiting'),
    raisedAt: tstz('raised_at').notNull().defaultNow(),
    /** When the speaker was called (state speaking). */
    startedAt: tstz('started_at'),
    /** Speaking time granted, in seconds (optional). */
    limitSeconds: integer('limit_seconds'),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('speaker_queue_meeting_idx').on(t.meetingId, t.position)],
);
