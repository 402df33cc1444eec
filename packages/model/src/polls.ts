import { z } from 'zod';
import { AFFILIATIONS, type MeetingRole } from './enums.ts';
import type { ErrorCode } from './errors.ts';
import { fewestToMeet, requiredCount } from './tally/election.ts';
import { OWNERS_MATTERS, type OwnersBallot, type OwnersMatter, type OwnersResult } from './tally/owners.ts';

/** Kinds of poll (see shared/CONTRACT.md). */
export const POLL_KINDS = ['motion', 'election', 'choice', 'ranking', 'owners'] as const;
export type PollKind = (typeof POLL_KINDS)[number];

/** Pass rules for motions. */
export const MOTION_RULES = ['majority', 'two-thirds-cast', 'two-thirds-eligible'] as const;
export type MotionRule = (typeof MOTION_RULES)[number];

export const MOTION_CHOICES = ['yes', 'no', 'abstain'] as const;
export type MotionChoice = (typeof MOTION_CHOICES)[number];

/** Election ballots: pick up to `seats` candidates, or mark each candidate 贊成 / 反對 / 棄權. */
export const ELECTION_BALLOTS = ['plurality', 'marks'] as const;
export type ElectionBallot = (typeof ELECTION_BALLOTS)[number];
/** Who is elected: the most votes, more than half of the ballots cast, or more than half of the eligible. */
export const ELECTION_THRESHOLDS = ['plurality', 'majority-cast', 'majority-eligible'] as const;
export type ElectionThreshold = (typeof ELECTION_THRESHOLDS)[number];
export const MARKS = MOTION_CHOICES;
export type Mark = MotionChoice;

/** A composition rule of the elected: at least `atLeast` of them, or that share of the seats (rounded up), from `group`. */
export interface CompositionRule {
  group: string;
  atLeast?: number;
  atLeastFraction?: number;
}

export const POLL_STATUSES = ['draft', 'open', 'closed'] as const;
export type PollStatus = (typeof POLL_STATUSES)[number];

/** Caps that keep every poll printable on one page and every event small. */
export const POLL_LIMITS = { options: 100, rankingOptions: 50, label: 200, title: 200, id: 64, groups: 8, group: 40, rules: 4 } as const;
/** Largest socket.io event payload (JSON) we look at; bigger ones are refused before parsing. */
export const MAX_EVENT_BYTES = 16 * 1024;
/** Receipt codes: 8 characters without look-alikes (no 0/O, 1/I/L). */
export const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const RECEIPT_LENGTH = 8;

const id = z.string().min(1).max(POLL_LIMITS.id);
const label = z.string().trim().min(1).max(POLL_LIMITS.label);
const group = z.string().trim().min(1).max(POLL_LIMITS.group);

/** A candidate as sent: a label, or a label with the groups the composition rules speak of. */
export const pollOptionInput = z.union([label, z.object({ label, groups: z.array(group).max(POLL_LIMITS.groups).optional() })]);
export type PollOptionInput = z.infer<typeof pollOptionInput>;

export const compositionRule = z
  .object({
    group,
    atLeast: z.number().int().min(1).max(POLL_LIMITS.options).optional(),
    atLeastFraction: z.number().gt(0).max(1).optional(),
  })
  .refine((r) => (r.atLeast === undefined) !== (r.atLeastFraction === undefined), { message: 'atLeast or atLeastFraction, exactly one' });

/** The label of an option as sent. */
export const optionLabel = (o: PollOptionInput): string => (typeof o === 'string' ? o : o.label);

export const meetingEnterPayload = z.object({ meetingId: id });
export type MeetingEnterPayload = z.infer<typeof meetingEnterPayload>;

export const pollListPayload = z.object({ meetingId: id });
export type PollListPayload = z.infer<typeof pollListPayload>;

/** poll:create — shape only; rules that depend on the kind are checked by `checkPollShape`. */
export const pollCreatePayload = z.object({
  meetingId: id,
  kind: z.enum(POLL_KINDS),
  title: z.string().trim().min(1).max(POLL_LIMITS.title),
  options: z.array(pollOptionInput).max(POLL_LIMITS.options).optional(),
  seats: z.number().int().min(1).max(POLL_LIMITS.options).optional(),
  rule: z.enum(MOTION_RULES).optional(),
  quorum: z.number().min(0).max(1).optional(),
  secret: z.boolean(),
  /** Restrict the vote to these affiliations (e.g. only the owners' committee). */
  eligibleAffiliations: z.array(z.enum(AFFILIATIONS)).min(1).max(AFFILIATIONS.length).optional(),
  /** The agenda item the poll belongs to (an id from the meeting document). */
  agendaItemId: id.optional(),
  /** Elections only (see "Elections with rules" in CONTRACT.md); without them, a plurality election. */
  ballot: z.enum(ELECTION_BALLOTS).optional(),
  threshold: z.enum(ELECTION_THRESHOLDS).optional(),
  rules: z.array(compositionRule).max(POLL_LIMITS.rules).optional(),
  /** Owners' polls only: an ordinary matter (majority of both counts) or a major one (3/4 of both). */
  matter: z.enum(OWNERS_MATTERS).optional(),
});
export type PollCreatePayload = z.infer<typeof pollCreatePayload>;

/** The kind-dependent rules of poll:create; returns the offending field or null. */
export function checkPollShape(p: PollCreatePayload): string | null {
  if (p.kind === 'owners') {
    if (p.matter === undefined) return 'matter';
    for (const field of ['options', 'seats', 'rule', 'ballot', 'threshold', 'rules', 'eligibleAffiliations', 'quorum'] as const) if (p[field] !== undefined) return field;
    return null;
  }
  if (p.matter !== undefined) return 'matter';
  if (p.kind !== 'election') {
    if (p.ballot !== undefined) return 'ballot';
    if (p.threshold !== undefined) return 'threshold';
    if (p.rules !== undefined) return 'rules';
    if (p.options?.some((o) => typeof o !== 'string')) return 'options';
  }
  if (p.kind === 'motion') {
    if (p.options !== undefined) return 'options';
    if (p.seats !== undefined) return 'seats';
    return null;
  }
  if (p.rule !== undefined) return 'rule';
  const max = p.kind === 'ranking' ? POLL_LIMITS.rankingOptions : POLL_LIMITS.options;
  if (!p.options || p.options.length < 2 || p.options.length > max) return 'options';
  if (new Set(p.options.map(optionLabel)).size !== p.options.length) return 'options';
  if (p.kind === 'election') {
    if (p.seats === undefined || p.seats > p.options.length) return 'seats';
    if (p.rules?.length) {
      const rules = p.rules.map((r) => ({ group: r.group, count: requiredCount(r, p.seats!) }));
      if (rules.some((r) => r.count > p.seats!)) return 'rules';
      const pool = p.options.map((o) => (typeof o === 'string' ? [] : (o.groups ?? [])));
      // Rules no set of these candidates can meet are refused: the tally would have nothing lawful to do.
      if (fewestToMeet(rules, rules.map((r) => r.count), pool) > p.seats) return 'rules';
    }
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

/** A choice as sent; whether it fits the poll is checked by `checkChoice`. Marks ballots: {optionId: mark}. */
export const pollChoice = z.union([id, z.array(id).max(POLL_LIMITS.options), z.record(id, z.enum(MARKS))]);
export type PollChoice = z.infer<typeof pollChoice>;

export const pollVotePayload = z.object({ pollId: id, choice: pollChoice });
export type PollVotePayload = z.infer<typeof pollVotePayload>;

export interface PollOption {
  id: string;
  label: string;
  /** Election candidates: the groups composition rules count (e.g. 'party'). */
  groups?: string[];
}

/** Warnings poll:create answers with; the host may go on. */
export type PollWarning = 'not-competitive';
/** 差額: an election is competitive when there are more candidates than seats. */
export function pollWarnings(p: { kind: PollKind; options?: readonly unknown[] | undefined; seats?: number | undefined }): PollWarning[] {
  return p.kind === 'election' && (p.options?.length ?? 0) <= (p.seats ?? 0) ? ['not-competitive'] : [];
}

/** The error code for a choice that does not fit the poll, or null when it fits. */
export function checkChoice(
  poll: { kind: PollKind; options: PollOption[]; seats?: number | undefined; ballot?: ElectionBallot | undefined },
  choice: PollChoice,
): 'invalid_choice' | 'too_many_choices' | 'too_many_yes' | null {
  const ids = new Set(poll.options.map((o) => o.id));
  if (poll.kind === 'election' && poll.ballot === 'marks') {
    if (typeof choice !== 'object' || Array.isArray(choice)) return 'invalid_choice';
    const entries = Object.entries(choice);
    if (!entries.every(([k, m]) => ids.has(k) && (MARKS as readonly string[]).includes(m))) return 'invalid_choice';
    return entries.filter(([, m]) => m === 'yes').length > (poll.seats ?? 1) ? 'too_many_yes' : null;
  }
  if (typeof choice === 'object' && !Array.isArray(choice)) return 'invalid_choice';
  if (poll.kind === 'motion' || poll.kind === 'owners') return typeof choice === 'string' && (MOTION_CHOICES as readonly string[]).includes(choice) ? null : 'invalid_choice';
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
/**
 * Why a candidate was passed over, as a code with parameters (option ids, group names) so that the
 * board, the vote page and the minutes say it in their reader's language (`electionNoteText`).
 */
export type ElectionNote =
  /** Not elected: `needed` yes votes were required, they had `votes`. */
  | { code: 'below-threshold'; option: string; votes: number; needed: number }
  /** Passed over: electing them would leave `group` short of `need` more with only `seatsLeft` seats. */
  | { code: 'rule'; option: string; group: string; need: number; seatsLeft: number }
  /** Tied at the cut on `votes`: more of them than the `seatsLeft` seats; not drawn, the seats stay open. */
  | { code: 'tie'; options: string[]; seatsLeft: number; votes: number }
  /** The further round must elect at least `need` of `group` among its `seats` seats. */
  | { code: 'rule-open'; group: string; need: number; seats: number }
  /** No set of the candidates meets the rules; they were not applied. */
  | { code: 'rules-unsatisfiable' };

export interface ElectionResult {
  /** Votes per candidate: selections, or 贊成 marks on marks ballots. */
  counts: Record<string, number>;
  /** Marks ballots: 贊成 / 反對 / 棄權 per candidate. */
  marks?: Record<string, Record<Mark, number>>;
  /** In the order the seats were filled. */
  elected: string[];
  /** Options tied at the cut: the remaining seats cannot be filled without breaking the tie. */
  tie: string[];
  /** Seats left for a further round (另行選舉). */
  unfilled: number;
  notes: ElectionNote[];
  /** Yes votes a candidate needed at least. */
  needed: number;
  /** The rules as counts of the elected (fractions of seats rounded up). */
  required: { group: string; count: number }[];
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

export type PollResult = (MotionResult | ElectionResult | ChoiceResult | RankingResult | OwnersResult) & ResultCommon;

/** What a ballot stores: the choice as sent, or for owners' polls the choice with its units' weight. */
export type StoredChoice = PollChoice | OwnersBallot;

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
  /** Elections: how ballots are marked, who is elected, composition rules (absent: plurality, none). */
  ballot?: ElectionBallot;
  threshold?: ElectionThreshold;
  rules?: CompositionRule[];
  /** A further round (另行選舉): the poll whose unfilled seats it fills. */
  runoffOf?: string;
  /** Owners' polls: the matter, and from open on the register's totals (area in hundredths of m², heads). */
  matter?: OwnersMatter;
  register?: { totalArea: number; totalHeads: number };
  /** Owners' polls: ballots the secretary entered on paper (not in `turnout.voted`). */
  paperBallots?: number;
  /** poll:create only: what the host should know (e.g. 'not-competitive': candidates do not exceed seats). */
  warnings?: PollWarning[];
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
  /** Owners' polls: the units the caller's ballot covers (labels like "1-201"), their area and heads. */
  represents?: { units: string[]; area: number; heads: number };
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

/** poll:runoff — the further round (另行選舉) of a closed election with unfilled seats. */
export const pollRunoffPayload = z.object({ pollId: id });
export type PollRunoffPayload = z.infer<typeof pollRunoffPayload>;

/** poll:paper — a paper ballot of an owners' poll, entered by unit (host or secretary). */
export const pollPaperPayload = z.object({ pollId: id, unitId: id, choice: z.enum(MOTION_CHOICES) });
export type PollPaperPayload = z.infer<typeof pollPaperPayload>;

/** poll:units — an open or closed owners' poll's units as the secretary enters paper ballots. */
export const pollUnitsPayload = z.object({ pollId: id });
export type PollUnitsPayload = z.infer<typeof pollUnitsPayload>;

/** One unit of an owners' poll: `online` — represented by a participant voting on a device; `paper` — a paper ballot was entered; `open` — neither yet. */
export interface PollUnitDto {
  id: string;
  label: string;
  /** Hundredths of m². */
  area: number;
  /** The person (art. 9) the unit counts as; units of one person are entered together. */
  head: string;
  owners: string[];
  developer: boolean;
  state: 'online' | 'paper' | 'open';
  /** online: who represents it, and whether by proxy (委托). */
  by?: string;
  proxy?: boolean;
}

/** GET /api/meetings/:id/units: the register at check-in, with who represents each unit in this meeting. */
export interface MeetingUnitDto {
  id: string;
  label: string;
  /** Hundredths of m². */
  area: number;
  owners: string[];
  developer: boolean;
  /** Units with one head are one person (art. 9) and are bound together. */
  head: string;
  userId?: string;
  proxy?: boolean;
}
export interface MeetingUnitsDto {
  units: MeetingUnitDto[];
  totalArea: number;
  heads: number;
}

export type PollPaperAck = Ack<{ poll: PollDto; receipt: string; units: string[] }>;
export type PollUnitsAck = Ack<{ units: PollUnitDto[] }>;

/** socket.io events a client sends; each takes an ack callback. Typed once for server, web and tests. */
export interface ClientToServerEvents {
  'meeting:enter': (payload: MeetingEnterPayload, ack: (answer: MeetingEnterAck) => void) => void;
  'poll:list': (payload: PollListPayload, ack: (answer: PollListAck) => void) => void;
  'poll:create': (payload: PollCreatePayload, ack: (answer: PollAck) => void) => void;
  'poll:open': (payload: PollOpenPayload, ack: (answer: PollAck) => void) => void;
  'poll:close': (payload: PollClosePayload, ack: (answer: PollAck) => void) => void;
  'poll:vote': (payload: PollVotePayload, ack: (answer: PollVoteAck) => void) => void;
  'poll:runoff': (payload: PollRunoffPayload, ack: (answer: PollAck) => void) => void;
  'poll:paper': (payload: PollPaperPayload, ack: (answer: PollPaperAck) => void) => void;
  'poll:units': (payload: PollUnitsPayload, ack: (answer: PollUnitsAck) => void) => void;
}

/** socket.io events the server sends to everyone in a meeting room. */
export interface ServerToClientEvents {
  'poll:state': (payload: { poll: PollDto }) => void;
  'roster:changed': (payload: { meetingId: string }) => void;
}

// The tally functions are part of the same contract; their module imports only types from here.
export * from './tally/index.ts';
