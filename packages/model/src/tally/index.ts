import { countElection, electFromCounts } from './election.ts';
import { tallyOwners, type OwnersBallot, type OwnersMatter } from './owners.ts';
import type {
  ChoiceResult,
  CompositionRule,
  ElectionBallot,
  ElectionThreshold,
  ElectionResult,
  MotionChoice,
  MotionResult,
  MotionRule,
  PollChoice,
  PollKind,
  PollOption,
  PollResult,
  RankingResult,
  StoredChoice,
} from '../polls.ts';

/** Below this many eligible voters a secret ballot is fragile: the host must confirm opening it. */
export const SMALL_GROUP = 5;

/** Quorum shares are compared in basis points so that no float rounding decides a vote. */
const BP = 10_000;

/** Whether enough of the eligible voted: ballots / eligible ≥ quorum, in integers. */
export function quorumMet(ballots: number, eligible: number, quorum: number | undefined): boolean {
  if (quorum === undefined) return true;
  return ballots * BP >= Math.round(quorum * BP) * eligible;
}

/** Whether a motion's yes votes satisfy its rule (integer arithmetic; a motion never passes with no yes). */
export function motionRulePassed(counts: MotionResult['counts'], rule: MotionRule, eligible: number): boolean {
  const { yes, no, abstain } = counts;
  if (yes === 0) return false;
  if (rule === 'majority') return yes > no;
  if (rule === 'two-thirds-cast') return 3 * yes >= 2 * (yes + no + abstain);
  return 3 * yes >= 2 * eligible;
}

/** Motion: counts, whether the rule and the quorum are met. */
export function tallyMotion(
  ballots: readonly MotionChoice[],
  options: { rule: MotionRule; quorum?: number | undefined; eligible: number },
): MotionResult {
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const b of ballots) counts[b] += 1;
  const met = quorumMet(ballots.length, options.eligible, options.quorum);
  return { counts, passed: met && motionRulePassed(counts, options.rule, options.eligible), quorumMet: met };
}

function zeroCounts(options: readonly PollOption[]): Record<string, number> {
  return Object.fromEntries(options.map((o) => [o.id, 0]));
}

/** Option ids by count, most first; equal counts keep the poll's option order. */
function byCount(options: readonly PollOption[], counts: Record<string, number>): string[] {
  return options
    .map((o, index) => ({ id: o.id, index, n: counts[o.id] ?? 0 }))
    .sort((a, b) => b.n - a.n || a.index - b.index)
    .map((o) => o.id);
}

/**
 * Election of up to `seats` (docs/elections.md). Without ballot/threshold/rules: the candidates with
 * most votes win, each needs ≥ 1 vote. Candidates tied at the cut who cannot all be seated go to
 * `tie` (their seats stay open), never drawn. With rules, seats are filled in vote order skipping
 * whoever would make a rule impossible to meet; `unfilled` seats are for a further round.
 */
export function tallyElection(
  ballots: readonly PollChoice[],
  options: {
    options: readonly PollOption[];
    seats: number;
    ballot?: ElectionBallot | undefined;
    threshold?: ElectionThreshold | undefined;
    rules?: readonly CompositionRule[] | undefined;
    quorum?: number | undefined;
    eligible: number;
  },
): ElectionResult {
  const { counts, marks } = countElection(ballots, options.options, options.ballot ?? 'plurality');
  const met = quorumMet(ballots.length, options.eligible, options.quorum);
  return { counts, ...(marks ? { marks } : {}), ...electFromCounts(counts, options, ballots.length), quorumMet: met };
}

export { countElection, electFromCounts, fewestToMeet, requiredCount, votesNeeded } from './election.ts';
export { electionNoteText } from './electionNotes.ts';
export * from './owners.ts';

/** Single choice: counts per option. */
export function tallyChoice(
  ballots: readonly string[],
  options: { options: readonly PollOption[]; quorum?: number | undefined; eligible: number },
): ChoiceResult {
  const counts = zeroCounts(options.options);
  for (const b of ballots) counts[b] = (counts[b] ?? 0) + 1;
  return { counts, quorumMet: quorumMet(ballots.length, options.eligible, options.quorum) };
}

/**
 * Borda count: with n options, the k-th ranked (0-based) scores n-1-k; unranked options score 0.
 * `order` sorts by score; equal scores keep the poll's option order.
 */
export function tallyRanking(
  ballots: readonly (readonly string[])[],
  options: { options: readonly PollOption[]; quorum?: number | undefined; eligible: number },
): RankingResult {
  const n = options.options.length;
  const scores = zeroCounts(options.options);
  for (const b of ballots) b.forEach((id, k) => (scores[id] = (scores[id] ?? 0) + (n - 1 - k)));
  const order = byCount(options.options, scores);
  const tie: string[][] = [];
  for (const s of standings(order, scores)) {
    if (!s.tied) continue;
    const group = tie.at(-1);
    if (group && scores[group[0]!] === s.value) group.push(s.id);
    else tie.push([s.id]);
  }
  return { scores, order, tie, quorumMet: quorumMet(ballots.length, options.eligible, options.quorum) };
}

/** One option's place in a result: competition ranking (1, 2, 2, 4), and whether it shares it. */
export interface Standing {
  id: string;
  value: number;
  /** 1-based; options with equal values share the place of the first of them. */
  place: number;
  tied: boolean;
}

/**
 * Options by value, highest first, with their places. Equal values share a place and are marked
 * tied: a result never orders tied options silently (the poll's option order only lists them).
 */
export function standings(ids: readonly string[], values: Readonly<Record<string, number>>): Standing[] {
  const sorted = ids.map((id, index) => ({ id, index, value: values[id] ?? 0 })).sort((a, b) => b.value - a.value || a.index - b.index);
  const count = new Map<number, number>();
  for (const s of sorted) count.set(s.value, (count.get(s.value) ?? 0) + 1);
  let place = 0;
  let previous: number | null = null;
  return sorted.map((s, i) => {
    if (s.value !== previous) place = i + 1;
    previous = s.value;
    return { id: s.id, value: s.value, place, tied: (count.get(s.value) ?? 0) > 1 };
  });
}

/** A ballot's content in a form where equal choices compare equal (election picks are a set). */
export function canonicalChoice(kind: PollKind, choice: StoredChoice): string {
  // An owners' ballot is the same choice whatever units it covers.
  if (isOwnersBallot(choice)) return JSON.stringify(choice.choice);
  if (kind === 'election' && Array.isArray(choice)) return JSON.stringify([...choice].sort());
  if (typeof choice === 'object' && !Array.isArray(choice)) return JSON.stringify(Object.entries(choice).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify(choice);
}

/** Unanimity of at most SMALL_GROUP secret ballots reveals every voter's choice. */
export function unanimousSmallGroup(kind: PollKind, secret: boolean, ballots: readonly StoredChoice[]): boolean {
  if (!secret || ballots.length === 0 || ballots.length > SMALL_GROUP) return false;
  const first = canonicalChoice(kind, ballots[0]!);
  return ballots.every((b) => canonicalChoice(kind, b) === first);
}

export interface TallyInput {
  kind: PollKind;
  options: readonly PollOption[];
  seats?: number | undefined;
  ballot?: ElectionBallot | undefined;
  threshold?: ElectionThreshold | undefined;
  rules?: readonly CompositionRule[] | undefined;
  rule?: MotionRule | undefined;
  quorum?: number | undefined;
  secret: boolean;
  eligible: number;
  /** Owners' polls: the matter and the register's totals fixed at open. */
  owners?: { matter: OwnersMatter; totalArea: number; totalHeads: number } | undefined;
}

function isOwnersBallot(b: StoredChoice): b is OwnersBallot {
  return typeof b === 'object' && !Array.isArray(b) && typeof (b as Partial<OwnersBallot>).area === 'number';
}

/** The result of a poll from its ballots (choices already validated with checkChoice). */
export function tally(poll: TallyInput, ballots: readonly StoredChoice[]): PollResult {
  const common = {
    ballots: ballots.length,
    eligible: poll.eligible,
    unanimousSmallGroup: unanimousSmallGroup(poll.kind, poll.secret, ballots),
  };
  const base = { options: poll.options, quorum: poll.quorum, eligible: poll.eligible };
  const strings = () => ballots.filter((b): b is string => typeof b === 'string');
  const lists = () => ballots.filter((b): b is string[] => Array.isArray(b));
  const choices = () => ballots.filter((b): b is PollChoice => !isOwnersBallot(b));
  switch (poll.kind) {
    case 'motion':
      return { ...tallyMotion(strings() as MotionChoice[], { rule: poll.rule ?? 'majority', ...base }), ...common };
    case 'election':
      return { ...tallyElection(choices(), { ...base, seats: poll.seats ?? 1, ballot: poll.ballot, threshold: poll.threshold, rules: poll.rules }), ...common };
    case 'choice':
      return { ...tallyChoice(strings(), base), ...common };
    case 'ranking':
      return { ...tallyRanking(lists(), base), ...common };
    case 'owners':
      return { ...tallyOwners(ballots.filter(isOwnersBallot), poll.owners ?? { matter: 'ordinary', totalArea: 0, totalHeads: 0 }), ...common };
  }
}
