/** Kinds of meeting (see shared/DOMAIN.md). */
export const MEETING_KINDS = ['building-talk', 'salon', 'joint', 'weekly-office', 'general'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

/** Which party a participant speaks for. */
export const AFFILIATIONS = ['party', 'committee', 'property', 'resident', 'social-work', 'other'] as const;
export type Affiliation = (typeof AFFILIATIONS)[number];

/** Roles inside one meeting. */
export const MEETING_ROLES = ['host', 'secretary', 'participant', 'observer'] as const;
export type MeetingRole = (typeof MEETING_ROLES)[number];

/** Lifecycle of a meeting: planned → live → closed. A closed meeting refuses joins. */
export const MEETING_STATUSES = ['planned', 'live', 'closed'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/** True once a meeting is over: it refuses joins, and its guests' rights elsewhere end. */
export function meetingIsOver(status: MeetingStatus): boolean {
  return status === 'closed';
}

/** Roles that may change the shared document (everyone but observers). */
export function canEdit(role: MeetingRole): boolean {
  return role !== 'observer';
}

/** Roles that run the meeting: polls, focus, roster. */
export function canFacilitate(role: MeetingRole): boolean {
  return role === 'host' || role === 'secretary';
}
