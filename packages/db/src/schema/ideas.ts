import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea, tstz } from './types.ts';
import { communities, meetings, users } from './core.ts';

/**
 * The unit register (房屋登记册) of a community: what household codes are printed from and what
 * owners' votes weigh by area and heads. `key` is the normalized building|unit (householdKey), so
 * "3号楼/1201室" and "3栋/1201" are one unit.
 */
export const units = pgTable(
  'units',
  {
    id: text('id').primaryKey(),
    communityId: text('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    building: text('building').notNull(),
    unit: text('unit').notNull(),
    key: text('key').notNull(),
    /** Exclusive floor area in hundredths of m², null when unknown. */
    area: integer('area'),
    owners: jsonb('owners').$type<string[]>().notNull().default([]),
    developer: boolean('developer').notNull().default(false),
    /** The register's own order (as imported or edited). */
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('units_community_key').on(t.communityId, t.key), index('units_community_position_idx').on(t.communityId, t.position)],
);

/** An idea collection (金点子征集) of a community; residents reach it by its short code. */
export const ideaCampaigns = pgTable(
  'idea_campaigns',
  {
    id: text('id').primaryKey(),
    communityId: text('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    code: text('code').notNull(),
    closesAt: tstz('closes_at'),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('idea_campaigns_code_key').on(t.code), index('idea_campaigns_community_idx').on(t.communityId)],
);

/** A theme groups ideas; once on a meeting's agenda it points at that item (its follow-ups link back). */
export const ideaThemes = pgTable(
  'idea_themes',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => ideaCampaigns.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    category: text('category'),
    meetingId: text('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
    agendaItemId: text('agenda_item_id'),
    /** When it went onto the agenda (the "discussed" step of its ideas' path). */
    agendaAt: tstz('agenda_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('idea_themes_campaign_idx').on(t.campaignId), index('idea_themes_agenda_idx').on(t.meetingId, t.agendaItemId)],
);

/** One idea, online or from a paper slip; `receipt` is the resident's code to follow it. */
export const ideas = pgTable(
  'ideas',
  {
    id: text('id').primaryKey(),
    /** Arrival order, for the organisers' list. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => ideaCampaigns.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    building: text('building'),
    unit: text('unit'),
    source: text('source').notNull(),
    /** Paper slips: the volunteer who typed it in. */
    collectedBy: text('collected_by'),
    receipt: text('receipt').notNull(),
    themeId: text('theme_id').references(() => ideaThemes.id, { onDelete: 'set null' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ideas_receipt_key').on(t.receipt),
    index('ideas_campaign_seq_idx').on(t.campaignId, t.seq),
    index('ideas_theme_idx').on(t.themeId),
    check('ideas_source_check', sql`${t.source} in ('online', 'paper')`),
  ],
);

/** A photo of an idea, re-encoded by the server (no metadata kept); shown to organisers only. */
export const ideaPhotos = pgTable('idea_photos', {
  ideaId: text('idea_id')
    .primaryKey()
    .references(() => ideas.id, { onDelete: 'cascade' }),
  mime: text('mime').notNull(),
  bytes: bytea('bytes').notNull(),
});

/**
 * Every merge, split or removal of ideas is one move: where each idea came from is kept, so a move
 * can be undone and an idea's history read back. Nothing is ever deleted by a move.
 */
export const ideaMoves = pgTable(
  'idea_moves',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => ideaCampaigns.id, { onDelete: 'cascade' }),
    /** Where the ideas went; null = out of any theme. */
    themeId: text('theme_id').references(() => ideaThemes.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    undoneAt: tstz('undone_at'),
  },
  (t) => [index('idea_moves_campaign_idx').on(t.campaignId)],
);

export const ideaMoveItems = pgTable(
  'idea_move_items',
  {
    moveId: text('move_id')
      .notNull()
      .references(() => ideaMoves.id, { onDelete: 'cascade' }),
    ideaId: text('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    fromThemeId: text('from_theme_id'),
  },
  (t) => [primaryKey({ columns: [t.moveId, t.ideaId] }), index('idea_move_items_idea_idx').on(t.ideaId)],
);

/** A ranking round (排序) of a campaign: Borda or pairwise, households by code or declared. */
export const rankingRounds = pgTable(
  'ranking_rounds',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => ideaCampaigns.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    method: text('method').notNull(),
    households: text('households').notNull(),
    status: text('status').notNull().default('open'),
    pairsPerHousehold: integer('pairs_per_household').notNull().default(10),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('ranking_rounds_campaign_idx').on(t.campaignId),
    check('ranking_rounds_method_check', sql`${t.method} in ('borda', 'pairwise')`),
    check('ranking_rounds_households_check', sql`${t.households} in ('codes', 'open')`),
    check('ranking_rounds_status_check', sql`${t.status} in ('open', 'closed')`),
  ],
);

export const roundItems = pgTable(
  'round_items',
  {
    id: text('id').primaryKey(),
    roundId: text('round_id')
      .notNull()
      .references(() => rankingRounds.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    themeId: text('theme_id').references(() => ideaThemes.id, { onDelete: 'set null' }),
    position: integer('position').notNull(),
  },
  (t) => [index('round_items_round_idx').on(t.roundId, t.position)],
);

/** One code per unit of the register and round, printed on a slip and given to the household. */
export const householdCodes = pgTable(
  'household_codes',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => rankingRounds.id, { onDelete: 'cascade' }),
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.unitId] }), uniqueIndex('household_codes_code_key').on(t.roundId, t.code)],
);

/**
 * One row per household and round: the primary key is the exactly-once guard, and a later answer
 * replaces the row (with a new `seq`). `household` is the unit id (codes) or the household key (open).
 */
export const roundAnswers = pgTable(
  'round_answers',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => rankingRounds.id, { onDelete: 'cascade' }),
    household: text('household').notNull(),
    /** The building as a key, for the per-building breakdown. */
    building: text('building').notNull(),
    source: text('source').notNull(),
    collectedBy: text('collected_by'),
    ranking: jsonb('ranking').$type<string[]>(),
    pairs: jsonb('pairs').$type<{ a: string; b: string; winner: string | null }[]>(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    answeredAt: tstz('answered_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.household] }), check('round_answers_source_check', sql`${t.source} in ('online', 'paper')`)],
);
