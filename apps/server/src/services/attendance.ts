import type { SessionUser } from '@yishi/auth';
import { participants, users } from '@yishi/db';
import { meetingIsOver, type CheckInBody, type MeetingStatus, type ParticipantDto } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireHost } from '../access.ts';
import { participantDto } from './meetings.ts';

/**
 * Checks in by hand someone without a device (簽到): a guest user bound to this meeting, with no
 * session, present at once. The host only; a closed meeting refuses.
 */
export async function checkInByHand(deps: Deps, user: SessionUser | null, meetingId: string, body: CheckInBody): Promise<ParticipantDto> {
  const { meeting } = await requireHost(deps, user, meetingId);
  if (meetingIsOver(meeting.status as MeetingStatus)) throw new AppError('meeting_closed');
  const userId = newId();
  const row = await deps.db.transaction(async (tx) => {
    await tx.insert(users).values({ id: userId, name: body.name, guestOfMeetingId: meetingId });
    const [inserted] = await tx
      .insert(participants)
      .values({ meetingId, userId, name: body.name, affiliation: body.affiliation, role: 'participant', present: true })
      .returning();
    return inserted!;
  });
  deps.events.emit('roster', meetingId);
  return participantDto(row);
}
