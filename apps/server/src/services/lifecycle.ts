import { and, count, eq } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { meetingEvents, meetings, polls, speakerQueue } from '@yishi/db';
import {
  clearTimer,
  type EndMeetingBody,
  type MeetingDto,
  type MeetingEventKind,
  type MeetingKind,
  type MeetingStatus,
  pickLocale,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireHost } from '../access.ts';
import { getMeeting } from './meetings.ts';

/*
 * The meeting lifecycle: planned → live → closed (ended) → final (定稿), and final → closed again
 * when the host reopens the minutes with a reason. Every step is host-only, happens under a row
 * lock (two hosts clicking at once make one step), and is recorded in meeting_events.
 */

type Tx = Parameters<Parameters<Deps['db']['transaction']>[0]>[0];

/** Which status each step leaves from. */
const FROM: Record<MeetingEventKind, readonly MeetingStatus[]> = {
  started: ['planned'],
  ended: ['planned', 'live'],
  finalized: ['closed'],
  reopened: ['final'],
};

/** Locks the meeting row, checks the step is allowed from its status, applies it and records it. */
async function step(
  deps: Deps,
  user: SessionUser | null,
  meetingId: string,
  kind: MeetingEventKind,
  apply: (tx: Tx, meeting: typeof meetings.$inferSelect, at: Date) => Promise<void>,
  reason: string | null = null,
): Promise<typeof meetings.$inferSelect> {
  const { participant } = await requireHost(deps, user, meetingId);
  return deps.db.transaction(async (tx) => {
    const [meeting] = await tx.select().from(meetings).where(eq(meetings.id, meetingId)).for('update');
    if (!meeting) throw new AppError('not_found');
    if (!FROM[kind].includes(meeting.status as MeetingStatus)) throw new AppError('invalid_status_change');
    const at = new Date();
    await apply(tx, meeting, at);
    await tx.insert(meetingEvents).values({ id: newId(), meetingId, kind, at, byName: participant.name, reason });
    return meeting;
  });
}

/** Starts a planned meeting. */
export async function startMeeting(deps: Deps, user: SessionUser | null, meetingId: string): Promise<MeetingDto> {
  await step(deps, user, meetingId, 'started', async (tx) => {
    await tx.update(meetings).set({ status: 'live' }).where(eq(meetings.id, meetingId));
  });
  deps.events.emit('meeting', meetingId);
  return getMeeting(deps, user, meetingId);
}

/**
 * Ends the meeting: no more joins, hands or new polls; the speaker queue is emptied and the item
 * timer stopped. Polls still open need a decision: without `keepOpenPolls` the answer is
 * polls_open (the page asks the host, who closes them or keeps them open).
 */
export async function endMeeting(deps: Deps, user: SessionUser | null, meetingId: string, body: EndMeetingBody = {}): Promise<MeetingDto> {
  const meeting = await step(deps, user, meetingId, 'ended', async (tx, _meeting, at) => {
    if (!body.keepOpenPolls) {
      const [open] = await tx
        .select({ n: count() })
        .from(polls)
        .where(and(eq(polls.meetingId, meetingId), eq(polls.status, 'open')));
      const n = Number(open?.n ?? 0);
      if (n > 0) throw new AppError('polls_open', { count: n });
    }
    await tx.update(meetings).set({ status: 'closed', endedAt: at }).where(eq(meetings.id, meetingId));
    // The current speaker and every raised hand: the floor closes with the meeting.
    await tx.delete(speakerQueue).where(eq(speakerQueue.meetingId, meetingId));
  });
  deps.events.emit('meeting', meetingId);
  deps.events.emit('queue', meetingId);
  // After the commit: the document's writers are re-decided by the status, and the server's own
  // write goes through like anyone's. A failure here leaves an ended meeting with a timer shown.
  try {
    await deps.editDoc(meetingId, { kind: meeting.kind as MeetingKind, locale: pickLocale(meeting.locale) }, (doc) => clearTimer(doc));
  } catch (error) {
    deps.logger.error({ err: error, meetingId }, 'stopping the item timer at the end of the meeting failed');
  }
  return getMeeting(deps, user, meetingId);
}

/** Makes the minutes final (定稿): the document and summary are frozen for everyone. */
export async function finalizeMeeting(deps: Deps, user: SessionUser | null, meetingId: string): Promise<MeetingDto> {
  await step(deps, user, meetingId, 'finalized', async (tx, _meeting, at) => {
    await tx.update(meetings).set({ status: 'final', finalizedAt: at }).where(eq(meetings.id, meetingId));
  });
  deps.events.emit('meeting', meetingId);
  return getMeeting(deps, user, meetingId);
}

/** Reopens final minutes for host and secretary; the reason goes into the minutes. */
export async function reopenMeeting(deps: Deps, user: SessionUser | null, meetingId: string, reason: string): Promise<MeetingDto> {
  await step(
    deps,
    user,
    meetingId,
    'reopened',
    async (tx) => {
      await tx.update(meetings).set({ status: 'closed', finalizedAt: null }).where(eq(meetings.id, meetingId));
    },
    reason,
  );
  deps.events.emit('meeting', meetingId);
  return getMeeting(deps, user, meetingId);
}

/** PATCH /api/meetings/:id with a status: the same steps, so no status change skips its rules. */
export async function changeStatus(deps: Deps, user: SessionUser | null, meetingId: string, status: MeetingStatus): Promise<void> {
  if (status === 'live') await startMeeting(deps, user, meetingId);
  else if (status === 'closed') await endMeeting(deps, user, meetingId);
  else if (status === 'final') await finalizeMeeting(deps, user, meetingId);
  else throw new AppError('invalid_status_change');
}
