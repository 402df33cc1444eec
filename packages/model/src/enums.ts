/** Kinds of meeting (see shared/DOMAIN.md). */
export const MEETING_KINDS = ['building-talk', 'salon', 'joint', 'weekly-office', 'general'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

/** Which party a participant speaks for. */
export const AFFILIATIONS = ['party', 'committee', 'property', 'resident', 'social-work', 'other'] as const;
export type Affiliation = (typeof AFFILIATIONS)[number];

/** Roles inside one meeting. */
export const MEETING_ROLES = ['host', 'secretary', 'participant', 'observer'] as const;
export type MeetingRole = (typeof MEETING_ROLES)[number];

/**
 * Lifecycle of a meeting: planned (scheduled) → live → closed (ended) → final (minutes final, 定稿).
 * A closed or final meeting refuses joins and new polls; the host may reopen a final one (→ closed).
 */
export const MEETING_STATUSES = ['planned', 'live', 'closed', 'final'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/**
 * True once a meeting is over (ended, or its minutes final): it refuses joins, hands and new polls,
 * and its guests' rights elsewhere end.
 */
export function meetingIsOver(status: MeetingStatus): boolean {
  return status === 'closed' || status === 'final';
}

/** Roles that may change the shared document (everyone but observers). */
export function canEdit(role: MeetingRole): boolean {
  return role !== 'observer';
}

/** Roles that run the meeting: polls, focus, roster. */
export function canFacilitate(role: MeetingRole): boolean {
  return role === 'host' || role === 'secretary';
}

/**
 * Whether someone may change the shared document now — the one place this is decided (the Yjs
 * server applies it per connection, the web app shows it). Before and during the meeting everyone
 * but observers writes; once it has ended only host and secretary tidy notes and decisions; final
 * minutes (定稿) are frozen for everyone until the host reopens them.
 */
export function documentWriteAccess(role: MeetingRole, status: MeetingStatus): boolean {
  if (status === 'final') return false;
  if (status === 'closed') return canFacilitate(role);
  return canEdit(role);
}

/** Roles that may delete agenda items (and restore deleted ones): host and secretary. */
export function mayDeleteAgendaItems(role: MeetingRole): boolean {
  return canFacilitate(role);
}

/** Roles that may propose amendments to a charter's clauses (逐条协商): everyone but observers. */
export function mayProposeAmendments(role: MeetingRole): boolean {
  return canEdit(role);
}

/**
 * Roles that run a charter's deliberation: split the draft, take clauses in order, decide
 * amendments, mark clauses agreed / deferred / deleted, put the whole to adoption.
 */
export function mayDecideCharter(role: MeetingRole): boolean {
  return canFacilitate(role);
}
