import { z } from 'zod';
import { AFFILIATIONS, type Affiliation, type MeetingRole } from './enums.ts';
import type { Ack } from './polls.ts';

/** Caps for the room: a queue longer than this is not a queue any more. */
export const ROOM_LIMITS = { queue: 200, speakerSeconds: 3600, id: 64, name: 64, attendanceQuorum: 100_000 } as const;

const id = z.string().min(1).max(ROOM_LIMITS.id);

/** queue:list / queue:next's meeting part. */
export const queueMeetingPayload = z.object({ meetingId: id });
export type QueueMeetingPayload = z.infer<typeof queueMeetingPayload>;

/** queue:raise — a hand for oneself; a facilitator may raise one for someone without a device. */
export const queueRaisePayload = z.object({ meetingId: id, userId: id.optional() });
export type QueueRaisePayload = z.infer<typeof queueRaisePayload>;

/** queue:lower — one's own hand; a facilitator may lower anyone's (also the current speaker's). */
export const queueLowerPayload = z.object({ meetingId: id, userId: id.optional() });
export type QueueLowerPayload = z.infer<typeof queueLowerPayload>;

/** queue:next — the current speaker is done; the first waiting hand gets the floor. */
export const queueNextPayload = z.object({
  meetingId: id,
  /** Speaking time for the called speaker, in seconds. */
  limitSeconds: z.number().int().min(10).max(ROOM_LIMITS.speakerSeconds).optional(),
});
export type QueueNextPayload = z.infer<typeof queueNextPayload>;

/** queue:reorder — the waiting hands in their new order (exactly the waiting set). */
export const queueReorderPayload = z.object({ meetingId: id, order: z.array(id).max(ROOM_LIMITS.queue) });
export type QueueReorderPayload = z.infer<typeof queueReorderPayload>;

/** One hand in the queue. */
export interface QueueEntryDto {
  userId: string;
  name: string;
  affiliation: Affiliation;
  raisedAt: string;
  /** Set for the speaker: when they were called (ISO). */
  startedAt?: string;
  limitSeconds?: number;
}

/** The queue of a meeting: who speaks now, who waits (in order). */
export interface QueueDto {
  meetingId: string;
  speaking: QueueEntryDto | null;
  waiting: QueueEntryDto[];
}

export type QueueAck = Ack<{ queue: QueueDto }>;

/** socket.io events of the room (speaker queue) a client sends; each takes an ack. */
export interface RoomClientToServerEvents {
  'queue:list': (payload: QueueMeetingPayload, ack: (answer: QueueAck) => void) => void;
  'queue:raise': (payload: QueueRaisePayload, ack: (answer: QueueAck) => void) => void;
  'queue:lower': (payload: QueueLowerPayload, ack: (answer: QueueAck) => void) => void;
  'queue:next': (payload: QueueNextPayload, ack: (answer: QueueAck) => void) => void;
  'queue:reorder': (payload: QueueReorderPayload, ack: (answer: QueueAck) => void) => void;
}

/** socket.io events of the room the server sends to everyone in a meeting. */
export interface RoomServerToClientEvents {
  'queue:state': (payload: { queue: QueueDto }) => void;
  /** The meeting's own fields changed (status, title, attendance quorum): re-read it. */
  'meeting:changed': (payload: { meetingId: string }) => void;
  /** A follow-up of the meeting's community was created or changed: re-read the lists. */
  'followups:changed': (payload: { communityId: string }) => void;
  /** This session ended (logged out elsewhere, expired, removed by the host): the socket closes next. */
  'session:ended': (payload: Record<string, never>) => void;
  /** The host removed this person from the meeting: it no longer reaches them. */
  'meeting:removed': (payload: { meetingId: string }) => void;
}

/** POST /api/meetings/:id/participants — the host checks in someone without a device. */
export const checkInBody = z.object({
  name: z.string().trim().min(1).max(ROOM_LIMITS.name),
  affiliation: z.enum(AFFILIATIONS),
});
export type CheckInBody = z.infer<typeof checkInBody>;

/** Who is present, by affiliation, and whether the meeting's attendance quorum is met. */
export interface AttendanceSummary {
  present: number;
  total: number;
  byAffiliation: Record<Affiliation, number>;
  quorum: number | null;
  quorumMet: boolean | null;
}

/** Counts present participants (observers don't count towards the quorum). */
export function attendanceSummary(
  roster: readonly { affiliation: Affiliation; role: MeetingRole; present: boolean }[],
  quorum: number | null,
): AttendanceSummary {
  const byAffiliation = Object.fromEntries(AFFILIATIONS.map((a) => [a, 0])) as Record<Affiliation, number>;
  let present = 0;
  let total = 0;
  for (const p of roster) {
    if (p.role === 'observer') continue;
    total++;
    if (!p.present) continue;
    present++;
    byAffiliation[p.affiliation]++;
  }
  return { present, total, byAffiliation, quorum, quorumMet: quorum === null ? null : present >= quorum };
}
