import { z } from 'zod';
import { AFFILIATIONS, MEETING_KINDS, MEETING_ROLES, MEETING_STATUSES } from './enums.ts';
import type { Affiliation, MeetingKind, MeetingRole, MeetingStatus } from './enums.ts';

/** Largest JSON body any API route accepts. */
export const MAX_JSON_BODY = 1024 * 1024;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

const name = z.string().trim().min(1).max(64);

export const signupBody = z.object({
  username: z
    .string()
    .trim()
    .min(3)
    .max(32)
    .regex(/^[\p{L}\p{N}_.@-]+$/u),
  // Length is checked separately so that a short password answers weak_password, not invalid_input.
  password: z.string().max(4096),
  name,
});
export type SignupBody = z.infer<typeof signupBody>;

export const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(4096),
});
export type LoginBody = z.infer<typeof loginBody>;

export const createCommunityBody = z.object({ name: z.string().trim().min(1).max(100) });

export const createMeetingBody = z.object({
  communityId: z.string().min(1).max(64),
  title: z.string().trim().min(1).max(200),
  kind: z.enum(MEETING_KINDS),
  startsAt: z.iso.datetime({ offset: true }).optional().nullable(),
  location: z.string().trim().max(200).optional().nullable(),
});
export type CreateMeetingBody = z.infer<typeof createMeetingBody>;

export const updateMeetingBody = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    status: z.enum(MEETING_STATUSES).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional().nullable(),
    location: z.string().trim().max(200).optional().nullable(),
    /** Present participants needed for a quorate meeting; null removes the rule. */
    attendanceQuorum: z.number().int().min(1).max(100_000).optional().nullable(),
  })
  .refine((b) => Object.keys(b).length > 0);

/** POST /api/meetings/:id/end — with polls still open the host must say whether to keep them open. */
export const endMeetingBody = z.object({ keepOpenPolls: z.boolean().optional() }).strict();
export type EndMeetingBody = z.infer<typeof endMeetingBody>;

/** Longest reason for reopening final minutes (it is printed in the minutes). */
export const REOPEN_REASON_MAX = 500;

/** POST /api/meetings/:id/reopen — final minutes are reopened with a reason the minutes record. */
export const reopenMeetingBody = z.object({ reason: z.string().trim().min(1).max(REOPEN_REASON_MAX) }).strict();
export type ReopenMeetingBody = z.infer<typeof reopenMeetingBody>;

export const joinBody = z.object({
  code: z.string().min(1).max(32),
  name,
  affiliation: z.enum(AFFILIATIONS),
});
export type JoinBody = z.infer<typeof joinBody>;

export const updateParticipantBody = z
  .object({
    role: z.enum(MEETING_ROLES).optional(),
    present: z.boolean().optional(),
    eligible: z.boolean().optional(),
    affiliation: z.enum(AFFILIATIONS).optional(),
    /** The units of the register the participant represents (owners' polls); replaces the list. Host or secretary. */
    units: z.array(z.string().min(1).max(64)).max(2000).optional(),
    /** Of those, the ones held by proxy (委托) for their owners. */
    proxy: z.array(z.string().min(1).max(64)).max(2000).optional(),
  })
  .refine((b) => Object.keys(b).length > 0)
  .refine((b) => b.proxy === undefined || b.units !== undefined, { path: ['proxy'] });
export type UpdateParticipantBody = z.infer<typeof updateParticipantBody>;

/** A user as the API shows them. */
export interface UserDto {
  id: string;
  username: string | null;
  name: string;
  /** Guests join a meeting by code without an account. */
  guest: boolean;
  /** For a guest: the meeting they belong to (their way back to it). */
  guestMeetingId: string | null;
}

export interface CommunityDto {
  id: string;
  name: string;
  role: 'admin' | 'member';
}

export interface MeetingSummaryDto {
  id: string;
  communityId: string;
  title: string;
  kind: MeetingKind;
  status: MeetingStatus;
  startsAt: string | null;
  location: string | null;
}

/** Lifecycle steps of a meeting, in the order they happened. */
export const MEETING_EVENT_KINDS = ['started', 'ended', 'finalized', 'reopened'] as const;
export type MeetingEventKind = (typeof MEETING_EVENT_KINDS)[number];

/** One lifecycle step: who did it when (and why, for a reopening). */
export interface MeetingEventDto {
  kind: MeetingEventKind;
  at: string;
  byName: string;
  reason: string | null;
}

export interface MeetingDto extends MeetingSummaryDto {
  communityName: string;
  role: MeetingRole;
  /** Only for host and secretary. */
  joinCode?: string;
  joinUrl?: string;
  createdAt: string;
  /** Present participants needed for a quorate meeting, or null. */
  attendanceQuorum: number | null;
  /** When the meeting ended, and when its minutes were made final (定稿), if they are. */
  endedAt: string | null;
  finalizedAt: string | null;
  /** Every lifecycle step (start, end, 定稿, reopening with its reason). */
  lifecycle: MeetingEventDto[];
}

export interface ParticipantDto {
  userId: string;
  name: string;
  affiliation: Affiliation;
  role: MeetingRole;
  present: boolean;
  eligible: boolean;
  /** Units of the register this participant represents in owners' polls ("1-201"; proxy: held for their owners). */
  units?: { id: string; label: string; proxy: boolean }[];
}

export interface JoinResultDto {
  meetingId: string;
  userId: string;
  role: MeetingRole;
}

/** A charter (规约) adopted in a meeting and published on the community's public board (公示). */
export interface PublicCharterDto {
  meetingId: string;
  meetingTitle: string;
  title: string;
  /** The agreed clauses in order. */
  clauses: string[];
  /** The final motion's numbers, when it was voted. */
  votes: { yes: number; no: number; abstain: number } | null;
  publishedAt: string;
}
