import type { AmendmentStatus, CharterStatus, ClauseStatus, PollDto, VoteCounts } from '@yishi/model';
import { m } from '$lib/paraglide/messages.js';

/** The words for a charter's, a clause's and an amendment's status. */
export function charterStatusLabel(status: CharterStatus): string {
  return {
    drafting: m.charter_status_drafting,
    deliberating: m.charter_status_deliberating,
    adopting: m.charter_status_adopting,
    adopted: m.charter_status_adopted,
    rejected: m.charter_status_rejected,
  }[status]();
}

export function clauseStatusLabel(status: ClauseStatus): string {
  return {
    pending: m.charter_clause_pending,
    agreed: m.charter_clause_agreed,
    deferred: m.charter_clause_deferred,
    deleted: m.charter_clause_deleted,
  }[status]();
}

export function amendmentStatusLabel(status: AmendmentStatus): string {
  return {
    open: m.charter_amendment_open,
    accepted: m.charter_amendment_accepted,
    rejected: m.charter_amendment_rejected,
    withdrawn: m.charter_amendment_withdrawn,
  }[status]();
}

/** A closed motion's verdict (passed only with the quorum met) and numbers; null while not closed. */
export function motionOutcome(poll: PollDto): { passed: boolean; counts: VoteCounts } | null {
  if (poll.status !== 'closed' || poll.kind !== 'motion' || !poll.result || !('counts' in poll.result) || !('passed' in poll.result)) return null;
  const { counts } = poll.result;
  return { passed: poll.result.passed && poll.result.quorumMet, counts: { yes: counts.yes, no: counts.no, abstain: counts.abstain } };
}
