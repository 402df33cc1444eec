import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz } from './types.ts';

/** Account holders and guests alike; a guest has no username or password and belongs to one meeting. */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username'),
    passwordHash: text('password_hash'),
    name: text('name').notNull(),
    /** Set for guests: the meeting they joined by code. */
    guestOfMeetingId: text('guest_of_meeting_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_username_key').on(t.username)],
);

/** Lucia-style sessions: the id is the SHA-256 (hex) of the token; the token itself is never stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: tstz('expires_at').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const communities = pgTable('communities', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdBy: text('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const communityMembers = pgTable(
  'community_members',
  {
    communityId: text('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['admin', 'member'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.userId] })],
);

export const meetings = pgTable(
  'meetings',
  {
    id: text('id').primaryKey(),
    communityId: text('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    kind: text('kind').notNull(),
    /** The creator's language: the meeting document's agenda template is written in it. */
    locale: text('locale').notNull().default('zh-CN'),
    status: text('status').notNull().default('planned'),
    startsAt: tstz('starts_at'),
    location: text('location'),
    /** The closing summary the secretary edits before exporting the minutes. */
    summary: text('summary'),
    /** How many present participants the meeting needs to be quorate (簽到), or null for no rule. */
    attendanceQuorum: integer('attendance_quorum'),
    /** When the meeting ended (status closed); kept through 定稿 and reopening. */
    endedAt: tstz('ended_at'),
    /** When the minutes were made final (status final); null again once reopened. */
    finalizedAt: tstz('finalized_at'),
    joinCode: text('join_code').notNull(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('meetings_join_code_key').on(t.joinCode), index('meetings_community_idx').on(t.communityId)],
);

/** Lifecycle steps of a meeting (start, end, 定稿, reopening with a reason), for the record and the minutes. */
export const meetingEvents = pgTable(
  'meeting_events',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['started', 'ended', 'finalized', 'reopened'] }).notNull(),
    at: tstz('at').notNull().defaultNow(),
    /** The name of who did it, as the roster showed it then. */
    byName: text('by_name').notNull(),
    reason: text('reason'),
  },
  (t) => [index('meeting_events_meeting_idx').on(t.meetingId, t.at)],
);

/** The roster: who belongs to a meeting, as what, whether checked in and eligible to vote. */
export const participants = pgTable(
  'participants',
  {
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    affiliation: text('affiliation').notNull(),
    role: text('role').notNull(),
    present: boolean('present').notNull().default(true),
    eligible: boolean('eligible').notNull().default(true),
    joinedAt: tstz('joined_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('participants_user_idx').on(t.userId)],
);

/**
 * Counters of the rate limiter (apps/server/src/limits.ts, rate-limiter-flexible's drizzle store):
 * one row per key and window, incremented atomically, shared by every instance.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull(),
  expire: tstz('expire'),
});
