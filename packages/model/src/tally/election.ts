import type { CompositionRule, ElectionBallot, ElectionNote, ElectionResult, ElectionThreshold, Mark, PollOption } from '../polls.ts';

/**
 * Elections as communities run them (docs/elections.md): a candidate is elected only above the
 * threshold, highest first; seats are filled in vote order, skipping a candidate whose election
 * would make a composition rule impossible to meet with the seats and candidates left; a tie at the
 * cut is never drawn (those seats stay open); open seats are for a further round (另行选举).
 */

/** How many of the elected a rule requires: atLeast, or ⌈fraction × seats⌉ (2/3 of 5 → 4). */
export function requiredCount(rule: CompositionRule, seats: number): number {
  if (rule.atLeast !== undefined) return rule.atLeast;
  // The tolerance only absorbs float noise (2/3 sent as 0.6666666666666666 × 3 = 2, not 3).
  return Math.max(0, Math.ceil((rule.atLeastFraction ?? 0) * seats - 1e-9));
}

interface Rule {
  group: string;
  count: number;
}

/**
 * The fewest candidates from `pool` that meet every need (need[i] more of rules[i].group), or
 * Infinity when the pool cannot. Exact: candidates are grouped by which ruled groups they belong to,
 * and every split of picks over those types is tried (rules are few, see POLL_LIMITS.rules).
 */
export function fewestToMeet(rules: readonly Rule[], needs: readonly number[], pool: readonly (readonly string[])[]): number {
  if (needs.every((n) => n <= 0)) return 0;
  const types = new Map<number, number>();
  for (const groups of pool) {
    let mask = 0;
    rules.forEach((r, i) => {
      if (groups.includes(r.group)) mask |= 1 << i;
    });
    if (mask) types.set(mask, (types.get(mask) ?? 0) + 1);
  }
  const list = [...types.entries()];
  const memo = new Map<string, number>();
  const search = (t: number, need: number[]): number => {
    if (need.every((n) => n <= 0)) return 0;
    if (t === list.length) return Infinity;
    const key = `${t}:${need.join(',')}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const [mask, available] = list[t]!;
    const useful = Math.max(0, ...need.filter((_, i) => mask & (1 << i)));
    let best = Infinity;
    for (let k = 0; k <= Math.min(available, useful); k++) {
      const rest = search(t + 1, need.map((n, i) => (mask & (1 << i) ? Math.max(0, n - k) : n)));
      best = Math.min(best, k + rest);
    }
    memo.set(key, best);
    return best;
  };
  return search(0, needs.map((n) => Math.max(0, n)));
}

export interface ElectionInput {
  options: readonly PollOption[];
  seats: number;
  ballot?: ElectionBallot | undefined;
  threshold?: ElectionThreshold | undefined;
  rules?: readonly CompositionRule[] | undefined;
  quorum?: number | undefined;
  eligible: number;
}

/** Yes votes a candidate needs at least: ≥ 1 for plurality, more than half of the ballots cast or of the eligible. */
export function votesNeeded(threshold: ElectionThreshold, ballots: number, eligible: number): number {
  if (threshold === 'majority-cast') return Math.floor(ballots / 2) + 1;
  if (threshold === 'majority-eligible') return Math.floor(eligible / 2) + 1;
  return 1;
}

/** The election part of a result from yes counts (selections, or 贊成 marks), following the procedure above. */
export function electFromCounts(
  counts: Readonly<Record<string, number>>,
  input: ElectionInput,
  ballots: number,
): Pick<ElectionResult, 'elected' | 'tie' | 'unfilled' | 'notes' | 'needed' | 'required'> {
  const threshold = input.threshold ?? 'plurality';
  const needed = votesNeeded(threshold, ballots, input.eligible);
  const groupsOf = new Map(input.options.map((o) => [o.id, o.groups ?? []]));
  const notes: ElectionNote[] = [];
  let rules: Rule[] = (input.rules ?? []).map((r) => ({ group: r.group, count: requiredCount(r, input.seats) })).filter((r) => r.count > 0);
  const all = input.options.map((o) => o.id);
  const needsOf = (elected: readonly string[]) => rules.map((r) => r.count - elected.filter((id) => groupsOf.get(id)!.includes(r.group)).length);
  /** Whether `elected` can still be completed lawfully with `seatsLeft` more from the candidates not in it. */
  const completable = (elected: readonly string[], seatsLeft: number) => {
    if (!rules.length) return seatsLeft >= 0;
    const pool = all.filter((id) => !elected.includes(id)).map((id) => groupsOf.get(id)!);
    return seatsLeft >= 0 && fewestToMeet(rules, needsOf(elected), pool) <= seatsLeft;
  };
  if (rules.length && !completable([], input.seats)) {
    // No set of these candidates meets the rules (poll:create refuses this; the tally stays total).
    notes.push({ code: 'rules-unsatisfiable' });
    rules = [];
  }

  // Candidates above the threshold by votes, most first; equal counts form one group.
  const qualifying = input.options
    .map((o, index) => ({ id: o.id, index, n: counts[o.id] ?? 0 }))
    .filter((o) => o.n >= needed)
    .sort((a, b) => b.n - a.n || a.index - b.index);
  if (threshold !== 'plurality') {
    for (const o of input.options) {
      const n = counts[o.id] ?? 0;
      if (n < needed) notes.push({ code: 'below-threshold', option: o.id, votes: n, needed });
    }
  }
  const elected: string[] = [];
  let tie: string[] = [];
  for (let i = 0; i < qualifying.length; ) {
    const n = qualifying[i]!.n;
    const group: string[] = [];
    while (i < qualifying.length && qualifying[i]!.n === n) group.push(qualifying[i++]!.id);
    const left = input.seats - elected.length;
    if (left === 0) break;
    const admissible: string[] = [];
    for (const id of group) {
      if (completable([...elected, id], left - 1)) {
        admissible.push(id);
        continue;
      }
      // Which rules electing them would break: the groups still short after them.
      const after = needsOf([...elected, id]);
      rules.forEach((r, k) => {
        if (after[k]! > 0 && !groupsOf.get(id)!.includes(r.group)) notes.push({ code: 'rule', option: id, group: r.group, need: after[k]!, seatsLeft: left - 1 });
      });
      if (!notes.some((note) => note.code === 'rule' && note.option === id)) notes.push({ code: 'rule', option: id, group: rules[0]!.group, need: Math.max(0, after[0]!), seatsLeft: left - 1 });
    }
    if (!admissible.length) continue;
    if (admissible.length <= left && completable([...elected, ...admissible], left - admissible.length)) {
      elected.push(...admissible);
      continue;
    }
    tie = admissible;
    notes.push({ code: 'tie', options: admissible, seatsLeft: left, votes: n });
    break;
  }
  const unfilled = input.seats - elected.length;
  if (unfilled > 0) {
    needsOf(elected).forEach((need, k) => {
      if (need > 0) notes.push({ code: 'rule-open', group: rules[k]!.group, need, seats: unfilled });
    });
  }
  return { elected, tie, unfilled, notes, needed, required: rules.map((r) => ({ group: r.group, count: r.count })) };
}

/** Counts of an election's ballots: selections (plurality) or 贊成 / 反對 / 棄權 per candidate (marks). */
export function countElection(
  ballots: readonly unknown[],
  options: readonly PollOption[],
  ballot: ElectionBallot,
): { counts: Record<string, number>; marks?: Record<string, Record<Mark, number>> } {
  const counts: Record<string, number> = Object.fromEntries(options.map((o) => [o.id, 0]));
  if (ballot === 'plurality') {
    for (const b of ballots) if (Array.isArray(b)) for (const id of b as string[]) counts[id] = (counts[id] ?? 0) + 1;
    return { counts };
  }
  const marks: Record<string, Record<Mark, number>> = Object.fromEntries(options.map((o) => [o.id, { yes: 0, no: 0, abstain: 0 }]));
  for (const b of ballots) {
    if (!b || typeof b !== 'object' || Array.isArray(b)) continue;
    for (const [id, mark] of Object.entries(b as Record<string, Mark>)) {
      const m = marks[id];
      if (!m || !(mark in m)) continue;
      m[mark] += 1;
      if (mark === 'yes') counts[id] = (counts[id] ?? 0) + 1;
    }
  }
  return { counts, marks };
}
