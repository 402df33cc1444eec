import { boolean, foreignKey, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { meetings, participants } from './core.ts';
import { units } from './ideas.ts';
import { polls } from './polls.ts';

/**
 * Which units of the register a participant represents in a meeting (bound at check-in by the host
 * or secretary): their own, or a principal's by proxy (委托). The primary key is the rule that a
 * unit is represented at most once per meeting; leaving the roster frees the units.
 */
export const participantUnits = pgTable(
  'participant_units',
  {
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** Represented by proxy: the unit's owners are the principal, the participant their proxy. */
    proxy: boolean('proxy').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.meetingId, t.unitId] }),
    foreignKey({ columns: [t.meetingId, t.userId], foreignColumns: [participants.meetingId, participants.userId] }).onDelete('cascade'),
    index('participant_units_user_idx').on(t.meetingId, t.userId),
  ],
);

/**
 * An owners' poll's copy of the register, fixed when it opens: every unit with its area, the person
 * (art. 9) it counts as, and who represents it on a device (null: nobody, so a paper ballot may be
 * entered for it). `paper` is set when one was: the primary key and this flag are what keep a unit
 * from voting twice. Nothing here says how anyone voted.
 */
export const pollUnits = pgTable(
  'poll_units',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    unitId: text('unit_id').notNull(),
    /** "1-201": building and unit as the register wrote them. */
    label: text('label').notNull(),
    /** headKey(): units with one key are one person and are entered together. */
    head: text('head').notNull(),
    /** Hundredths of m². */
    area: integer('area').notNull(),
    userId: text('user_id'),
    proxy: boolean('proxy').notNull().default(false),
    paper: boolean('paper').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.unitId] }), index('poll_units_user_idx').on(t.pollId, t.userId), index('poll_units_head_idx').on(t.pollId, t.head)],
);
