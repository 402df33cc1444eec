import { z } from 'zod';
import { AFFILIATIONS, type MeetingRole } from './enums.ts';
import type { ErrorCode } from './errors.ts';

/** Kinds of poll (see shared/CONTRACT.md). */
export const POLL_KINDS = ['motion', 'election', 'choice', 'ranking'] as const;
export type PollKind = (typeof POLL_KINDS)[number];

/** Pass rules for motions. */
export const MOTION_RULES = ['majority', 'two-thirds-cast', 'two-thirds-eligible'] as const;
export type MotionRule = (typeof MOTION_RULES)[number];

export const MOTION_CHOICES = ['yes', 'no', 'abstain'] as const;
export type MotionChoice = (typeof MOTION_CHOICES)[number];

export const POLL_STATUSES = ['draft', 'open', 'closed'] as const;
export type PollStatus = (typeof POLL_STATUSES)[number];

/** Caps that keep every poll printable on one page and every event small. */
export const POLL_LIMITS = { options: 100, rankingOptions: 50, label: 200, title: 200, id: 64 } as const;
/** Largest socket.io event payload (JSON) we look at; bigger ones are refused before parsing. */
export const MAX_EVENT_BYTES = 16 * 1024;
/** Receipt codes: 8 characters without look-alikes (no 0/O, 1/I/L). */
export const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const RECEIPT_LENGTH = 8;

const id = z.string().min(1).max(POLL_LIMITS.id);
const label = z.string().trim().min(1).max(POLL_LIMITS.label);

export const meetingEnterPayload = z.object({ meetingId: id });
export type MeetingEnterPayload = z.infer<typeof meetingEnterPayload>;

export const pollListPayload = z.object({ meetingId: id });
export type PollListPayload = z.infer<typeof pollListPayload>;

/** poll:create — shape only; rules that depend on the kind are checked by `checkPollShape`. */
export const pollCreatePayload = z.object({
  meetingId: id,
  kind: z.enum(POLL_KINDS),
  title: z.string().trim().min(1).max(POLL_LIMITS.title),
  options: z.array(label).max(POLL_LIMITS.options).optional(),
  seats: z.number().int().min(1).max(POLL_LIMITS.options).optional(),
  rule: z.enum(MOTION_RULES).optional(),
  quorum: z.number().min(0).max(1).optional(),
  secret: z.boolean(),
  /** Restrict the vote to these affiliations (e.g. only the owners' committee). */
  eligibleAffiliations: z.array(z.enum(AFFILIATIONS)).min(1).max(AFFILIATIONS.length).optional(),
  /** The agenda item the poll belongs to (an id from the meeting document). */
  agendaItemId: id.optional(),
});
export type PollCreatePayload = z.infer<typeof pollCreatePayload>;

/** The kind-dependent rules of poll:create; returns the offending field or null. */
export function checkPollShape(p: PollCreatePayload): string | null {
  if (p.kind === 'motion') {
    if (p.options !== undefined) return 'options';
    if (p.seats !== undefined) return 'seats';
    return null;
  }
  if (p.rule !== undefined) return 'rule';
  const max = p.kind === 'ranking' ? POLL_LIMITS.rankingOptions : POLL_LIMITS.options;
  if (!p.options || p.options.length < 2 || p.options.length > max) return 'options';
  if (new Set(p.options).size !== p.options.length) return 'options';
  if (p.kind === 'election') {
    if (p.seats === undefined || p.seats > p.options.length) return 'seats';
  } else if (p.seats !== undefined) return 'seats';
  return null;
}

export const pollOpenPayload = z.object({
  pollId: id,
  /** Required when a secret poll has fewer than SMALL_GROUP eligible voters. */
  confirmSmallGroup: z.literal(true).optional(),
});
export type PollOpenPayload = z.infer<typeof pollOpenPayload>;

export const pollClosePayload = z.object({
  pollId: id,
  /** Required to publish a unanimous result of a small secret poll. */
  confirmUnanimous: z.literal(true).optional(),
});
export type PollClosePayload = z.infer<typeof pollClosePayload>;

/** A choice as sent; whether it fits the poll is checked by `checkChoice`. */
export const pollChoice = z.union([id, z.array(id).max(POLL_LIMITS.options)]);
export type PollChoice = z.infer<typeof pollChoice>;

export const pollVotePayload = z.object({ pollId: id, choice: pollChoice });
export type PollVotePayload = z.infer<typeof pollVotePayload>;

export interface PollOption {
  id: string;
  label: string;
}

/** The error code for a choice that does not fit the poll, or null when it fits. */
export function checkChoice(
  poll: { kind: PollKind; options: PollOption[]; seats?: number | undefined },
  choice: PollChoice,
): 'invalid_choice' | 'too_many_choices' | null {
  const ids = new Set(poll.options.map((o) => o.id));
  if (poll.kind === 'motion') return typeof choice === 'string' && (MOTION_CHOICES as readonly string[]).includes(choice) ? null : 'invalid_choice';
  if (poll.kind === 'choice') return typeof choice === 'string' && ids.has(choice) ? null : 'invalid_choice';
  if (!Array.isArray(choice)) return 'invalid_choice';
  if (new Set(choice).size !== choice.length || !choice.every((c) => ids.has(c))) return 'invalid_choice';
  if (poll.kind === 'election') return choice.length > (poll.seats ?? 1) ? 'too_many_choices' : null;
  // A ranking orders at least one option; unranked options score nothing.
  return choice.length >= 1 ? null : 'invalid_choice';
}

export interface MotionResult {
  counts: { yes: number; no: number; abstain: number };
  passed: boolean;
  quorumMet: boolean;
}
export interface ElectionResult {
  counts: Record<string, number>;
  elected: string[];
  /** Options tied at the cut: the remaining seats cannot be filled without breaking the tie. */
  tie: string[];
  quorumMet: boolean;
}
export interface ChoiceResult {
  counts: Record<string, number>;
  quorumMet: boolean;
}
export interface RankingResult {
  scores: Record<string, number>;
  order: string[];
  /** Groups of options with equal scores, in `order` (absent in results stored before ties were marked). */
  tie?: string[][];
  quorumMet: boolean;
}

/** Fields every stored result carries besides the kind's own. */
export interface ResultCommon {
  ballots: number;
  eligible: number;
  /** A small secret poll where every ballot is the same: publishing it reveals each choice. */
  unanimousSmallGroup: boolean;
  /** Named polls only: who chose what. */
  votes?: { userId: string; name: string; choice: PollChoice }[];
}

export type PollResult = (MotionResult | ElectionResult | ChoiceResult | RankingResult) & ResultCommon;

/** A poll as every participant sees it. */
export interface PollDto {
  id: string;
  meetingId: string;
  agendaItemId?: string;
  kind: PollKind;
  title: string;
  options: PollOption[];
  seats?: number;
  rule?: MotionRule;
  quorum?: number;
  secret: boolean;
  eligibleAffiliations?: string[];
  status: PollStatus;
  turnout: { voted: number; eligible: number };
  /** Set once open: a secret poll with fewer than SMALL_GROUP eligible voters. */
  smallGroup?: boolean;
  result?: PollResult;
  /** Counted receipt codes, sorted; only once closed. */
  receipts?: string[];
}

/** Where the caller stands in one poll (for reconnecting clients). */
export interface MyPollStatus {
  eligible: boolean;
  voted: boolean;
}

export interface AckError {
  ok: false;
  error: { code: ErrorCode; message: string };
}
export type Ack<T extends object> = ({ ok: true } & T) | AckError;

export type MeetingEnterAck = Ack<{ role: MeetingRole; eligible: boolean }>;
export type PollAck = Ack<{ poll: PollDto }>;
export type PollListAck = Ack<{ polls: PollDto[]; mine: Record<string, MyPollStatus> }>;
export type PollVoteAck = Ack<{ receipt: string }>;

/** socket.io events a client sends; each takes an ack callback. Typed once for server, web and tests. */
export interface ClientToServerEvents {
  'meeting:enter': (payload: MeetingEnterPayload, ack: (answer: MeetingEnterAck) => void) => void;
  'poll:list': (payload: PollListPayload, ack: (answer: PollListAck) => void) => void;
  'poll:create': (payload: PollCreatePayload, ack: (answer: PollAck) => void) => void;
  'poll:open': (payload: PollOpenPayload, ack: (answer: PollAck) => void) => void;
  'poll:close': (payload: PollClosePayload, ack: (answer: PollAck) => void) => void;
  'poll:vote': (payload: PollVotePayload, ack: (answer: PollVoteAck) => void) => void;
}

/** socket.io events the server sends to everyone in a meeting room. */
export interface ServerToClientEvents {
  'poll:state': (payload: { poll: PollDto }) => void;
  'roster:changed': (payload: { meetingId: string }) => void;
}

// The tally functions are part of the same contract; their module imports only types from here.
export * from './tally/index.ts';
