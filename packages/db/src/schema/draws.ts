import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './types.ts';
import { meetings, users } from './core.ts';

/**
 * A draw by lot (抽籤, RFC 3797): the entries, the number of winners and the announced seed source
 * are frozen at creation; the seed is set once, and with it the key string, the steps and the result.
 */
export const draws = pgTable(
  'draws',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** In the published order: entry i is number i + 1 of the draw. */
    entries: jsonb('entries').$type<string[]>().notNull(),
    winners: integer('winners').notNull(),
    seedSource: text('seed_source').notNull(),
    /** The public values as typed; null until the draw is made. */
    seed: text('seed'),
    /** RFC 3797's key string, derived from the seed. */
    key: text('key'),
    /** [{index, digest, divisor, remainder, selected}] */
    steps: jsonb('steps').$type<{ index: number; digest: string; divisor: number; remainder: number; selected: number }[]>(),
    /** The winners in order. */
    result: jsonb('result').$type<string[]>(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    seededAt: tstz('seeded_at'),
  },
  (t) => [
    index('draws_meeting_idx').on(t.meetingId),
    check('draws_winners_check', sql`${t.winners} >= 1 and ${t.winners} <= jsonb_array_length(${t.entries})`),
    // Seed, key, steps and result come together or not at all.
    check('draws_seeded_check', sql`(${t.seed} is null) = (${t.result} is null) and (${t.seed} is null) = (${t.key} is null) and (${t.seed} is null) = (${t.seededAt} is null)`),
  ],
);
