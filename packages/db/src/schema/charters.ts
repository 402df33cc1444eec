import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './types.ts';
import { communities, meetings, users } from './core.ts';

/**
 * A charter (规约) adopted in a meeting and published on the community's public board (公示): a
 * copy of the adopted text taken from the meeting document when the host publishes it.
 */
export const publishedCharters = pgTable(
  'published_charters',
  {
    meetingId: text('meeting_id')
      .primaryKey()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    communityId: text('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** The agreed clauses in order. */
    clauses: jsonb('clauses').$type<string[]>().notNull(),
    /** The final motion's numbers, when it was voted. */
    votes: jsonb('votes').$type<{ yes: number; no: number; abstain: number } | null>(),
    publishedBy: text('published_by')
      .notNull()
      .references(() => users.id),
    publishedAt: tstz('published_at').notNull().defaultNow(),
  },
  (t) => [index('published_charters_community_idx').on(t.communityId, t.publishedAt)],
);
