import { date, index, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './types.ts';
import { communities, meetings } from './core.ts';

/**
 * Follow-ups (督辦事項) belong to the community: created in a meeting, updated between meetings,
 * reviewed at the next one and shown on the public board.
 */
export const followUps = pgTable(
  'follow_ups',
  {
    id: text('id').primaryKey(),
    communityId: text('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    /** The meeting it came from. */
    meetingId: text('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
    /** The agenda item (id in the meeting document) it came from. */
    agendaItemId: text('agenda_item_id'),
    title: text('title').notNull(),
    ownerAffiliation: text('owner_affiliation').notNull(),
    /** A participant who owns it, if one was named. */
    ownerUserId: text('owner_user_id'),
    ownerName: text('owner_name'),
    dueDate: date('due_date', { mode: 'string' }),
    status: text('status').notNull().default('open'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('follow_ups_community_idx').on(t.communityId), index('follow_ups_meeting_idx').on(t.meetingId)],
);

/** Dated progress notes on a follow-up, optionally recording a status change. */
export const followUpNotes = pgTable(
  'follow_up_notes',
  {
    id: text('id').primaryKey(),
    followUpId: text('follow_up_id')
      .notNull()
      .references(() => followUps.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    status: text('status'),
    authorName: text('author_name').notNull(),
    authorAffiliation: text('author_affiliation'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('follow_up_notes_follow_up_idx').on(t.followUpId)],
);
