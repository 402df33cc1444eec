import { electionNoteText, requiredCount, standings, type MotionRule, type PollDto, type PollKind, type PollResult } from '@yishi/model';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { affiliationLabel, terms } from '$lib/labels';
import type { Affiliation } from '@yishi/model';

/** The kind of a poll in the reader's language. */
export function kindName(kind: PollKind): string {
  return terms().pollKind[kind];
}

/** A motion's pass rule in the reader's language. */
export function ruleName(rule: MotionRule): string {
  return { majority: m.poll_rule_majority, 'two-thirds-cast': m.poll_rule_two_thirds_cast, 'two-thirds-eligible': m.poll_rule_two_thirds_eligible }[rule]();
}

/** The label of an option: motion options are localized by id, others are the host's words. */
export function optionLabel(poll: Pick<PollDto, 'kind' | 'options'>, id: string): string {
  if (poll.kind === 'motion' || poll.kind === 'owners') {
    if (id === 'yes') return m.poll_yes();
    if (id === 'no') return m.poll_no();
    if (id === 'abstain') return m.poll_abstain();
  }
  return poll.options.find((o) => o.id === id)?.label ?? id;
}

/** A candidate group as the room reads it; other groups as the host typed them. */
export function groupName(group: string): string {
  return group === 'party' ? m.poll_group_party() : group;
}

/** Why candidates were passed over (closed elections), one sentence each in the reader's language. */
export function electionNotes(poll: PollDto): string[] {
  const r = poll.result;
  if (!r || !('elected' in r) || !r.notes) return [];
  return r.notes.map((note) => electionNoteText(note, getLocale(), (id) => optionLabel(poll, id)));
}

/** The rules in force, one line each, shown before voting and with the result. */
export function rulesOf(poll: PollDto): string[] {
  const lines = [kindName(poll.kind), poll.secret ? m.poll_secret_yes() : m.poll_secret_no()];
  if (poll.kind === 'motion' && poll.rule) lines.push(ruleName(poll.rule));
  if (poll.kind === 'election' && poll.seats) {
    lines.push(poll.ballot === 'marks' ? m.poll_rule_marks({ seats: poll.seats, count: poll.options.length }) : m.poll_rule_seats({ seats: poll.seats, count: poll.options.length }));
    if (poll.threshold === 'majority-cast') lines.push(m.poll_rule_majority_cast());
    if (poll.threshold === 'majority-eligible') lines.push(m.poll_rule_majority_eligible());
    for (const rule of poll.rules ?? []) lines.push(m.poll_rule_composition({ count: requiredCount(rule, poll.seats), group: groupName(rule.group) }));
    if (poll.runoffOf) lines.push(m.poll_runoff_of());
  }
  if (poll.kind === 'owners') {
    lines.push(m.poll_owners_notice(), m.poll_rule_owners_double());
    lines.push(poll.matter === 'major' ? m.poll_rule_owners_major() : m.poll_rule_owners_ordinary());
    lines.push(m.poll_rule_headcount());
    if (poll.secret) lines.push(m.poll_owners_secrecy());
  }
  if (poll.kind === 'ranking') lines.push(m.poll_rule_borda());
  if (poll.kind === 'choice') lines.push(m.poll_rule_choice());
  if (poll.quorum !== undefined && poll.quorum > 0) lines.push(m.poll_rule_quorum({ percent: Math.round(poll.quorum * 100) }));
  if (poll.eligibleAffiliations?.length) {
    lines.push(m.poll_rule_only({ who: poll.eligibleAffiliations.map((a) => affiliationLabel(a as Affiliation)).join('、') }));
  }
  return lines;
}

/** One bar of a result: counts (or Borda scores), with the place and whether it is shared. */
export interface ResultRow {
  id: string;
  label: string;
  value: number;
  place: number;
  tied: boolean;
}

/**
 * Counts (or Borda scores) by option id, in the order to show them: a motion as yes / no /
 * abstain, anything else by votes, highest first, equal values sharing a place and marked tied.
 */
export function resultRows(poll: PollDto): ResultRow[] {
  const r = poll.result;
  // An owners' poll has two counts, shown as a table (DoubleCount), not as bars.
  if (!r || 'area' in r) return [];
  const values = ('scores' in r ? r.scores : r.counts) as Record<string, number>;
  if ('passed' in r)
    return (['yes', 'no', 'abstain'] as const).map((id, i) => ({ id, label: optionLabel(poll, id), value: values[id] ?? 0, place: i + 1, tied: false }));
  return standings(
    poll.options.map((o) => o.id),
    values,
  ).map((s) => ({ ...s, label: optionLabel(poll, s.id) }));
}

/** The outcome in one sentence. */
export function outcomeOf(poll: PollDto): string {
  const r: PollResult | undefined = poll.result;
  if (!r) return '';
  if ('area' in r) {
    if (!r.participationMet) return m.poll_owners_participation_not_met();
    return r.passed ? m.poll_owners_passed() : m.poll_owners_failed();
  }
  if (!r.quorumMet) return m.poll_outcome_no_quorum();
  if ('passed' in r) return r.passed ? m.poll_outcome_passed() : m.poll_outcome_failed();
  if ('elected' in r) {
    const names = r.elected.map((id) => optionLabel(poll, id)).join('、');
    const base = m.poll_outcome_elected({ names: names || '—' });
    const tie = r.tie.length ? ` ${m.poll_outcome_tie({ names: r.tie.map((id) => optionLabel(poll, id)).join('、') })}` : '';
    const open = r.unfilled ? ` ${m.poll_outcome_unfilled({ count: r.unfilled })}` : '';
    return base + tie + open;
  }
  if ('order' in r) {
    // Tied options share a place ("3= A、B") and are said to be tied, never ordered silently.
    const rows = resultRows(poll);
    const groups: ResultRow[][] = [];
    for (const row of rows) {
      const last = groups.at(-1);
      if (last && last[0]!.place === row.place) last.push(row);
      else groups.push([row]);
    }
    const names = groups.map((g) => (g.length > 1 ? m.poll_place_tied({ place: g[0]!.place, names: g.map((x) => x.label).join('、') }) : g[0]!.label)).join(' › ');
    return m.poll_outcome_order({ names });
  }
  const rows = resultRows(poll);
  const top = Math.max(0, ...rows.map((row) => row.value));
  return m.poll_outcome_top({ names: rows.filter((row) => row.value === top && top > 0).map((row) => row.label).join('、') || '—' });
}

/**
 * Where a receipt is kept on the voter's device, per poll: localStorage, so that reloading,
 * closing the tab or reopening the browser still shows it (the server keeps no voter→receipt link).
 */
export const receiptKey = (pollId: string) => `yishi:receipt:${pollId}`;

export function storedReceipt(pollId: string): string | null {
  try {
    return localStorage.getItem(receiptKey(pollId));
  } catch {
    return null;
  }
}

export function storeReceipt(pollId: string, receipt: string): void {
  try {
    localStorage.setItem(receiptKey(pollId), receipt);
  } catch (error) {
    console.error('could not keep the receipt', error);
  }
}
