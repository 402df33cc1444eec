import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea, tstz } from './types.ts';
import { meetings, users } from './core.ts';

/** A poll on a meeting: its rules, its status, and once closed its result and counted receipts. */
export const polls = pgTable(
  'polls',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    agendaItemId: text('agenda_item_id'),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    /** [{id, label, groups?}] (groups: election candidates, for composition rules) */
    options: jsonb('options').$type<{ id: string; label: string; groups?: string[] }[]>().notNull(),
    seats: integer('seats'),
    rule: text('rule'),
    /** Elections with rules (docs/elections.md): {ballot?, threshold?, rules?}; null is a plurality election. */
    election: jsonb('election').$type<{ ballot?: string; threshold?: string; rules?: { group: string; atLeast?: number; atLeastFraction?: number }[] }>(),
    /** A further round (另行選舉): the election whose unfilled seats this one fills. */
    runoffOf: text('runoff_of'),
    /** Owners' polls: the matter; from open on, the register's totals (area in hundredths of m², heads). */
    owners: jsonb('owners').$type<{ matter: string; totalArea?: number; totalHeads?: number }>(),
    quorum: doublePrecision('quorum'),
    secret: boolean('secret').notNull(),
    eligibleAffiliations: jsonb('eligible_affiliations').$type<string[]>(),
    status: text('status').notNull().default('draft'),
    /** Size of the eligible set fixed at open. */
    eligibleCount: integer('eligible_count').notNull().default(0),
    result: jsonb('result'),
    /** Counted receipt codes, sorted, published at close. */
    receipts: jsonb('receipts').$type<string[]>(),
    /**
     * Secret polls: a fingerprint of the key their ballots are sealed under while open (derived
     * from the server secret, which never enters the database), so that a server with another
     * secret refuses to vote or close rather than writing or reading ballots it cannot open.
     */
    keyCheck: text('key_check'),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    openedAt: tstz('opened_at'),
    closedAt: tstz('closed_at'),
  },
  (t) => [index('polls_meeting_idx').on(t.meetingId), check('polls_status_check', sql`${t.status} in ('draft', 'open', 'closed')`)],
);

/** Who may vote in a poll: the roster's eligible set, fixed when the poll opens. */
export const pollEligible = pgTable(
  'poll_eligible',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);

/**
 * Who has voted (never what): one row per voter and poll, so the database itself refuses a second
 * ballot. 'pending' while the voter's batch is being written, 'cast' once its ballots committed.
 * No timestamp, no sequence: see docs/threat-model.md.
 */
export const pollVoters = pgTable(
  'poll_voters',
  {
    pollId: text('poll_id').notNull(),
    userId: text('user_id').notNull(),
    state: text('state').notNull(),
    /** The in-flight batch; cleared when the poll closes. */
    batchId: text('batch_id'),
    /** The voter's receipt sealed under a key only their session token can derive (AES-256-GCM). */
    sealedReceipt: bytea('sealed_receipt'),
  },
  (t) => [
    primaryKey({ columns: [t.pollId, t.userId] }),
    // Only someone in the eligible set can ever hold a voter mark.
    foreignKey({ columns: [t.pollId, t.userId], foreignColumns: [pollEligible.pollId, pollEligible.userId] }).onDelete('cascade'),
    index('poll_voters_batch_idx').on(t.batchId),
    check('poll_voters_state_check', sql`${t.state} in ('pending', 'cast')`),
  ],
);

/**
 * What was voted (never who, for secret polls): random id, no timestamp, no sequence. Written in
 * shuffled batches apart from the voter marks and rewritten in one shuffled transaction at close.
 * While a secret poll is open its ballots are sealed: `sealed` holds choice and receipt encrypted
 * (AES-256-GCM, random nonce) under the poll's key, `receipt_tag` a keyed digest of the receipt
 * that keeps receipts unique; `choice` and `receipt` stay null until the closing rewrite opens them.
 */
export const pollBallots = pgTable(
  'poll_ballots',
  {
    id: text('id').primaryKey(),
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    choice: jsonb('choice'),
    receipt: text('receipt'),
    sealed: bytea('sealed'),
    receiptTag: text('receipt_tag'),
    /** The in-flight batch (for crash recovery); cleared when the poll closes. */
    batchId: text('batch_id'),
    /** Named (roll-call) polls only; always null for secret polls. */
    voterId: text('voter_id'),
  },
  (t) => [
    uniqueIndex('poll_ballots_receipt_key').on(t.pollId, t.receipt),
    uniqueIndex('poll_ballots_receipt_tag_key').on(t.pollId, t.receiptTag),
    index('poll_ballots_batch_idx').on(t.batchId),
    // Either open (choice and receipt) or sealed (ciphertext and tag), never a mix.
    check(
      'poll_ballots_sealed_check',
      sql`(${t.sealed} is null and ${t.receiptTag} is null and ${t.choice} is not null and ${t.receipt} is not null) or (${t.sealed} is not null and ${t.receiptTag} is not null and ${t.choice} is null and ${t.receipt} is null)`,
    ),
  ],
);
