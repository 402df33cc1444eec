import { z } from 'zod';
import { HOUSEHOLD_PART_MAX } from './household.ts';
import { RANKING_METHODS, type AnswerSource, type RankingMethod, type RoundResult } from './ranking.ts';

/** Caps of idea collection: one idea fits on a slip, one campaign in one organiser's list. */
export const IDEA_LIMITS = {
  text: 500,
  title: 100,
  category: 32,
  collectedBy: 64,
  ideasPerCampaign: 20_000,
  ideasPerRequest: 500,
  themeIdeas: 2_000,
  roundItems: 50,
  pairsPerAnswer: 200,
  /** Photos: what the browser sends after resizing, and the longest side the server keeps. */
  photoBytes: 1_000_000,
  photoSide: 1600,
} as const;

/** Campaign codes: 6 characters without look-alikes, short enough to type from a poster. */
export const CAMPAIGN_CODE_LENGTH = 6;
/** Receipts and household codes: 10 characters (≈ 2^49.5), typed from a slip. */
export const IDEA_RECEIPT_LENGTH = 10;
export const HOUSEHOLD_CODE_LENGTH = 8;
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Uppercases and strips spaces and dashes a person types; null unless it can be a code of that length. */
export function normalizeCode(input: string, length: number): string | null {
  const code = input.normalize('NFKC').toUpperCase().replace(/[\s\-_.]/g, '');
  if (code.length !== length) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** "ABCD-EFGH-JK" for reading aloud and printing. */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/** Text a person writes: trimmed, control characters (but newlines) removed; never rendered as HTML. */
const text = (max: number) =>
  z
    .string()
    .max(max * 4)
    .transform((s) => s.replace(/[\u0000-\u0009\u000B-\u001F\u007F]/g, '').replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1).max(max));
const optionalPart = z
  .string()
  .trim()
  .max(HOUSEHOLD_PART_MAX)
  .optional()
  .nullable()
  .transform((s) => (s ? s : null));
const id = z.string().min(1).max(64);

export const createCampaignBody = z.object({
  title: text(IDEA_LIMITS.title),
  closesAt: z.iso.datetime({ offset: true }).optional().nullable(),
});
export type CreateCampaignBody = z.infer<typeof createCampaignBody>;
export type CreateCampaignInput = z.input<typeof createCampaignBody>;

export const updateCampaignBody = z
  .object({ title: text(IDEA_LIMITS.title).optional(), closesAt: z.iso.datetime({ offset: true }).optional().nullable() })
  .refine((b) => Object.keys(b).length > 0);

export const submitIdeaBody = z.object({ text: text(IDEA_LIMITS.text), building: optionalPart, unit: optionalPart });
export type SubmitIdeaBody = z.infer<typeof submitIdeaBody>;
/** What a client sends (before trimming and defaults). */
export type SubmitIdeaInput = z.input<typeof submitIdeaBody>;

/** Paper slips and door-to-door answers typed in by a volunteer (one, or a batch from a CSV file). */
export const paperIdeasBody = z.object({
  collectedBy: text(IDEA_LIMITS.collectedBy),
  ideas: z.array(submitIdeaBody).min(1).max(IDEA_LIMITS.ideasPerRequest),
});
export type PaperIdeasBody = z.infer<typeof paperIdeasBody>;
export type PaperIdeasInput = z.input<typeof paperIdeasBody>;

export const createThemeBody = z.object({
  title: text(IDEA_LIMITS.title),
  category: z.string().trim().max(IDEA_LIMITS.category).optional().nullable(),
  ideaIds: z.array(id).max(IDEA_LIMITS.themeIdeas).default([]),
});
export type CreateThemeBody = z.infer<typeof createThemeBody>;
export type CreateThemeInput = z.input<typeof createThemeBody>;

export const updateThemeBody = z
  .object({ title: text(IDEA_LIMITS.title).optional(), category: z.string().trim().max(IDEA_LIMITS.category).optional().nullable() })
  .refine((b) => Object.keys(b).length > 0);

/** Moves ideas into a theme (merge), into a new theme (split), or out of any theme (themeId null). */
export const moveIdeasBody = z.object({
  ideaIds: z.array(id).min(1).max(IDEA_LIMITS.themeIdeas),
  themeId: id.nullable(),
});
export type MoveIdeasBody = z.infer<typeof moveIdeasBody>;

export const themesToAgendaBody = z.object({ meetingId: id, themeIds: z.array(id).min(1).max(50) });
export type ThemesToAgendaBody = z.infer<typeof themesToAgendaBody>;

export const HOUSEHOLD_MODES = ['codes', 'open'] as const;
export type HouseholdMode = (typeof HOUSEHOLD_MODES)[number];

export const createRoundBody = z
  .object({
    title: text(IDEA_LIMITS.title),
    method: z.enum(RANKING_METHODS),
    households: z.enum(HOUSEHOLD_MODES),
    /** The items: the campaign's themes by id, or projects by label (e.g. 21 projects). */
    themeIds: z.array(id).max(IDEA_LIMITS.roundItems).optional(),
    projects: z.array(text(IDEA_LIMITS.title)).max(IDEA_LIMITS.roundItems).optional(),
    /** Pairwise: how many pairs one household is asked (default 10). */
    pairsPerHousehold: z.number().int().min(1).max(IDEA_LIMITS.pairsPerAnswer).optional(),
  })
  .refine((b) => (b.themeIds?.length ?? 0) + (b.projects?.length ?? 0) >= 2, { path: ['projects'] })
  .refine((b) => (b.themeIds?.length ?? 0) + (b.projects?.length ?? 0) <= IDEA_LIMITS.roundItems, { path: ['projects'] });
export type CreateRoundBody = z.infer<typeof createRoundBody>;
export type CreateRoundInput = z.input<typeof createRoundBody>;

export const ROUND_STATUSES = ['open', 'closed'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];
export const updateRoundBody = z.object({ status: z.enum(ROUND_STATUSES) });

const pairAnswer = z.object({ a: id, b: id, winner: id.nullable() });

/** A household's answer: with its household code, or (open rounds) its building and unit. */
export const roundAnswerBody = z
  .object({
    code: z.string().max(32).optional(),
    building: optionalPart,
    unit: optionalPart,
    ranking: z.array(id).max(IDEA_LIMITS.roundItems).optional(),
    pairs: z.array(pairAnswer).max(IDEA_LIMITS.pairsPerAnswer).optional(),
  })
  .refine((b) => (b.ranking === undefined) !== (b.pairs === undefined), { path: ['ranking'] });
export type RoundAnswerBody = z.infer<typeof roundAnswerBody>;
export type RoundAnswerInput = z.input<typeof roundAnswerBody>;

/** A paper answer typed in by a volunteer: the same, plus who collected it. */
export const paperAnswerBody = z.intersection(roundAnswerBody, z.object({ collectedBy: text(IDEA_LIMITS.collectedBy) }));
export type PaperAnswerBody = z.infer<typeof paperAnswerBody>;

/**
 * What became of an idea, as the public board and the receipt page say it:
 * collected → discussed (its theme went onto a meeting's agenda) → follow-up in progress → done.
 */
export const THEME_STATUSES = ['collected', 'discussed', 'in-progress', 'done'] as const;
export type ThemeStatus = (typeof THEME_STATUSES)[number];

/** The theme's status from where it went: the agenda, and the follow-ups of that agenda item. */
export function themeStatus(onAgenda: boolean, followUpStatuses: readonly string[]): ThemeStatus {
  const live = followUpStatuses.filter((s) => s !== 'dropped');
  if (live.length && live.every((s) => s === 'done')) return 'done';
  if (live.length) return 'in-progress';
  return onAgenda ? 'discussed' : 'collected';
}

export interface CampaignDto {
  id: string;
  communityId: string;
  title: string;
  code: string;
  /** The page residents open (what the QR code holds). */
  url: string;
  closesAt: string | null;
  open: boolean;
  createdAt: string;
  ideas: number;
  themes: number;
}

/** An idea as organisers see it (admins only: building and unit are personal data). */
export interface IdeaDto {
  id: string;
  text: string;
  building: string | null;
  unit: string | null;
  source: AnswerSource;
  collectedBy: string | null;
  themeId: string | null;
  hasPhoto: boolean;
  createdAt: string;
}

export interface ThemeDto {
  id: string;
  title: string;
  category: string | null;
  ideas: number;
  status: ThemeStatus;
  meetingId: string | null;
  meetingTitle: string | null;
  agendaItemId: string | null;
  createdAt: string;
}

/** One recorded move of ideas between themes (a merge, a split, a removal) and whether it was undone. */
export interface IdeaMoveDto {
  id: string;
  themeId: string | null;
  themeTitle: string | null;
  ideaIds: string[];
  actorName: string;
  createdAt: string;
  undoneAt: string | null;
}

/** The organisers' view of a campaign. */
export interface CampaignDetailDto extends CampaignDto {
  themesList: ThemeDto[];
  moves: IdeaMoveDto[];
  rounds: RoundDto[];
}

/** GET /api/public/campaigns/:code — no personal data. */
export interface PublicCampaignDto {
  title: string;
  communityName: string;
  closesAt: string | null;
  open: boolean;
  themes: { id: string; title: string; category: string | null; ideas: number; status: ThemeStatus }[];
  /** Rounds open for answers, for the page to link to. */
  rounds: { id: string; title: string; method: RankingMethod; households: HouseholdMode }[];
}

/** One step of an idea's path, with when it happened (null when not reached). */
export interface IdeaStep {
  status: ThemeStatus;
  at: string | null;
}

/** GET /api/public/ideas/:receipt — the idea's own text and path, nothing else. */
export interface IdeaReceiptDto {
  text: string;
  campaignTitle: string;
  theme: { title: string; status: ThemeStatus; meetingTitle: string | null } | null;
  status: ThemeStatus;
  steps: IdeaStep[];
  followUps: { title: string; status: string; dueDate: string | null }[];
}

export interface RoundItemDto {
  id: string;
  label: string;
  themeId: string | null;
}

export interface RoundDto {
  id: string;
  campaignId: string;
  title: string;
  method: RankingMethod;
  households: HouseholdMode;
  status: RoundStatus;
  items: RoundItemDto[];
  pairsPerHousehold: number;
  answers: number;
  createdAt: string;
}

/** GET /api/public/rounds/:id — what a household needs to answer. */
export interface PublicRoundDto {
  id: string;
  title: string;
  campaignTitle: string;
  method: RankingMethod;
  households: HouseholdMode;
  status: RoundStatus;
  items: { id: string; label: string }[];
  /** Pairwise: the pairs for this visit. */
  pairs?: [string, string][];
}

export interface RoundResultDto {
  round: RoundDto;
  result: RoundResult;
  /** Households with a code (codes rounds), for turnout. */
  eligible: number | null;
}

export interface HouseholdCodeDto {
  unitId: string;
  building: string;
  unit: string;
  code: string;
  answered: boolean;
}



/** socket.io: an organiser watches a campaign's live list (new ideas arrive while they sort). */
export const campaignWatchPayload = z.object({ campaignId: id });
export type CampaignWatchPayload = z.infer<typeof campaignWatchPayload>;

export interface IdeasClientToServerEvents {
  'campaign:watch': (payload: CampaignWatchPayload, ack: (answer: { ok: true } | { ok: false; error: { code: string; message: string } }) => void) => void;
}

export interface IdeasServerToClientEvents {
  /** A new idea of a watched campaign (organisers only: it carries building and unit). */
  'idea:new': (payload: { campaignId: string; idea: IdeaDto }) => void;
  /** Themes, moves, rounds or answers of a watched campaign changed: re-read what is shown. */
  'ideas:changed': (payload: { campaignId: string }) => void;
}
