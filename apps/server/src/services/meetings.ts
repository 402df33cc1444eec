import { and, asc, eq, inArray } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { communities, meetingEvents, meetings, participants, pollEligible, polls, speakerQueue, users } from '@yishi/db';
import {
  canFacilitate,
  normalizeJoinCode,
  type Affiliation,
  type CreateMeetingBody,
  type JoinBody,
  type JoinResultDto,
  type MeetingDto,
  type MeetingEventDto,
  type MeetingKind,
  type MeetingRole,
  type MeetingStatus,
  type ParticipantDto,
  type UpdateParticipantBody,
  meetingIsOver,
  type Locale,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId, newJoinCode } from '../ids.ts';
import { addressKey } from '../limits.ts';
import { endUserSessions } from '../sessions.ts';
import { startSession, type NewSession } from './accounts.ts';
import { requireAccount, requireCommunityMember, requireHost, requireParticipant, meetingAccess } from '../access.ts';
import { bindUnits, boundUnits, type BoundUnit } from '../polls/owners.ts';

type ParticipantRow = typeof participants.$inferSelect;
type Tx = Parameters<Parameters<Deps['db']['transaction']>[0]>[0];


export function joinUrl(deps: Deps, code: string): string {
  return new URL(`/join/${code}`, deps.publicBaseUrl()).toString();
}

export async function createMeeting(
  deps: Deps,
  user: SessionUser | null,
  body: CreateMeetingBody,
  /** The creator's language: the meeting document's agenda template is written in it. */
  locale: Locale = 'zh-CN',
): Promise<{ id: string; joinCode: string; joinUrl: string }> {
  const account = requireAccount(user);
  await requireCommunityMember(deps, account, body.communityId);
  const id = newId();
  const joinCode = newJoinCode();
  await deps.db.transaction(async (tx) => {
    await tx.insert(meetings).values({
      id,
      communityId: body.communityId,
      title: body.title,
      kind: body.kind,
      locale,
      startsAt: body.startsAt ? new Date(body.startsAt) : null,
      location: body.location ?? null,
      joinCode,
      createdBy: account.id,
    });
    await tx.insert(participants).values({
      meetingId: id,
      userId: account.id,
      name: account.name,
      affiliation: 'social-work',
      role: 'host',
    });
  });
  return { id, joinCode, joinUrl: joinUrl(deps, joinCode) };
}

/** The lifecycle steps of a meeting, oldest first. */
export async function meetingLifecycle(deps: Deps | { db: Tx }, meetingId: string): Promise<MeetingEventDto[]> {
  const rows = await deps.db
    .select()
    .from(meetingEvents)
    .where(eq(meetingEvents.meetingId, meetingId))
    .orderBy(asc(meetingEvents.at), asc(meetingEvents.id));
  return rows.map((r) => ({ kind: r.kind, at: r.at.toISOString(), byName: r.byName, reason: r.reason }));
}

export async function getMeeting(deps: Deps, user: SessionUser | null, meetingId: string): Promise<MeetingDto> {
  const { meeting, role } = await requireParticipant(deps, user, meetingId);
  const [[community], lifecycle] = await Promise.all([
    deps.db.select({ name: communities.name }).from(communities).where(eq(communities.id, meeting.communityId)),
    meetingLifecycle(deps, meetingId),
  ]);
  return {
    id: meeting.id,
    communityId: meeting.communityId,
    communityName: community?.name ?? '',
    title: meeting.title,
    kind: meeting.kind as MeetingKind,
    status: meeting.status as MeetingStatus,
    startsAt: meeting.startsAt?.toISOString() ?? null,
    location: meeting.location,
    role,
    // Everyone in the room may see the code: it is on the projector anyway.
    joinCode: meeting.joinCode,
    joinUrl: joinUrl(deps, meeting.joinCode),
    createdAt: meeting.createdAt.toISOString(),
    attendanceQuorum: meeting.attendanceQuorum,
    endedAt: meeting.endedAt?.toISOString() ?? null,
    finalizedAt: meeting.finalizedAt?.toISOString() ?? null,
    lifecycle,
  };
}

export async function updateMeeting(
  deps: Deps,
  user: SessionUser | null,
  meetingId: string,
  patch: { title?: string; startsAt?: string | null; location?: string | null; attendanceQuorum?: number | null },
): Promise<MeetingDto> {
  await requireHost(deps, user, meetingId);
  const set: Partial<typeof meetings.$inferInsert> = {};
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.startsAt !== undefined) set.startsAt = patch.startsAt ? new Date(patch.startsAt) : null;
  if (patch.location !== undefined) set.location = patch.location;
  if (patch.attendanceQuorum !== undefined) set.attendanceQuorum = patch.attendanceQuorum;
  if (Object.keys(set).length) {
    await deps.db.update(meetings).set(set).where(eq(meetings.id, meetingId));
    deps.events.emit('meeting', meetingId);
  }
  return getMeeting(deps, user, meetingId);
}

/** A new join code; the old one stops working at once (e.g. after it leaked to a chat group). */
export async function rotateJoinCode(deps: Deps, user: SessionUser | null, meetingId: string) {
  await requireHost(deps, user, meetingId);
  const joinCode = newJoinCode();
  await deps.db.update(meetings).set({ joinCode }).where(eq(meetings.id, meetingId));
  deps.events.emit('meeting', meetingId);
  return { joinCode, joinUrl: joinUrl(deps, joinCode) };
}

export interface JoinOutcome {
  result: JoinResultDto;
  /** Set when a guest account was created: the caller must set this session cookie. */
  session?: NewSession;
}

/**
 * The meeting a join code opens, or unknown_join_code. The point is taken before the code is looked
 * at and given back when the code is right: only wrong codes use up the limit, and a burst of
 * concurrent guesses cannot outrun it.
 */
async function findMeetingByCode(deps: Deps, typed: string, ip: string): Promise<typeof meetings.$inferSelect> {
  const address = addressKey(ip);
  return deps.limits.gate(`join ${address}`, async () => {
    const ticket = await deps.limits.take('join', address);
    const code = normalizeJoinCode(typed);
    const [meeting] = code ? await deps.db.select().from(meetings).where(eq(meetings.joinCode, code)) : [];
    if (!meeting) throw new AppError('unknown_join_code');
    await ticket.refund();
    return meeting;
  });
}

/**
 * Joining by code. A logged-in account holder joins as themself; a guest already on this meeting
 * is recognised; anyone else becomes a new guest bound to this meeting. Joining checks one in.
 */
export async function joinMeeting(deps: Deps, user: SessionUser | null, body: JoinBody, ip: string): Promise<JoinOutcome> {
  const meeting = await findMeetingByCode(deps, body.code, ip);
  if (meetingIsOver(meeting.status as MeetingStatus)) throw new AppError('meeting_closed');

  if (user && (!user.guestOfMeetingId || user.guestOfMeetingId === meeting.id)) {
    const existing = await meetingAccess(deps, meeting.id, user.id);
    // Already on the roster: joining again (a reload, a second tablet) changes nothing of what the
    // host set there — name, affiliation, presence, eligibility and role stay as they are.
    if (existing) return { result: { meetingId: meeting.id, userId: user.id, role: existing.role } };
    if (!user.guestOfMeetingId) {
      await deps.db
        .insert(participants)
        .values({ meetingId: meeting.id, userId: user.id, name: body.name, affiliation: body.affiliation, role: 'participant' })
        .onConflictDoNothing();
      deps.events.emit('roster', meeting.id);
      return { result: { meetingId: meeting.id, userId: user.id, role: 'participant' } };
    }
  }

  const guest: SessionUser = { id: newId(), username: null, name: body.name, guestOfMeetingId: meeting.id };
  await deps.db.transaction(async (tx) => {
    await tx.insert(users).values({ id: guest.id, name: guest.name, guestOfMeetingId: meeting.id });
    await tx.insert(participants).values({
      meetingId: meeting.id,
      userId: guest.id,
      name: body.name,
      affiliation: body.affiliation,
      role: 'participant',
    });
  });
  const session = await startSession(deps, guest);
  deps.events.emit('roster', meeting.id);
  return { result: { meetingId: meeting.id, userId: guest.id, role: 'participant' }, session };
}

export function participantDto(row: ParticipantRow, bound?: BoundUnit[]): ParticipantDto {
  const dto: ParticipantDto = {
    userId: row.userId,
    name: row.name,
    affiliation: row.affiliation as Affiliation,
    role: row.role as MeetingRole,
    present: row.present,
    eligible: row.eligible,
  };
  if (bound?.length) dto.units = bound;
  return dto;
}

export async function listParticipants(deps: Deps, user: SessionUser | null, meetingId: string): Promise<ParticipantDto[]> {
  await requireParticipant(deps, user, meetingId);
  const rows = await deps.db
    .select()
    .from(participants)
    .where(eq(participants.meetingId, meetingId))
    .orderBy(asc(participants.joinedAt), asc(participants.name));
  const bound = await boundUnits(deps.db, meetingId);
  return rows.map((row) => participantDto(row, bound.get(row.userId)));
}

/**
 * Takes someone off the roster (the host only; a meeting keeps a host). Their live connections lose
 * the meeting at once; a guest, who exists only for this meeting, is signed out. To keep them from
 * joining again with the same code, the host rotates the code.
 */
export async function removeParticipant(deps: Deps, user: SessionUser | null, meetingId: string, userId: string): Promise<void> {
  await requireHost(deps, user, meetingId);
  const removed = await deps.db.transaction(async (tx) => {
    const [target] = await tx
      .select()
      .from(participants)
      .where(and(eq(participants.meetingId, meetingId), eq(participants.userId, userId)))
      .for('update');
    if (!target) throw new AppError('not_found');
    if (target.role === 'host') {
      const hosts = await tx
        .select({ userId: participants.userId })
        .from(participants)
        .where(and(eq(participants.meetingId, meetingId), eq(participants.role, 'host')));
      if (hosts.length <= 1) throw new AppError('last_host');
    }
    await tx.delete(speakerQueue).where(and(eq(speakerQueue.meetingId, meetingId), eq(speakerQueue.userId, userId)));
    await tx.delete(participants).where(and(eq(participants.meetingId, meetingId), eq(participants.userId, userId)));
    // Someone removed cannot vote in the polls still open (their turnout denominator stays as opened).
    const open = tx.select({ id: polls.id }).from(polls).where(and(eq(polls.meetingId, meetingId), eq(polls.status, 'open')));
    await tx.delete(pollEligible).where(and(eq(pollEligible.userId, userId), inArray(pollEligible.pollId, open)));
    const [account] = await tx.select({ guestOf: users.guestOfMeetingId }).from(users).where(eq(users.id, userId));
    return { guest: account?.guestOf === meetingId };
  });
  if (removed.guest) await endUserSessions(deps, userId);
  deps.events.emit('removed', meetingId, userId);
  deps.events.emit('roster', meetingId);
}

export async function updateParticipant(
  deps: Deps,
  user: SessionUser | null,
  meetingId: string,
  userId: string,
  patch: UpdateParticipantBody,
): Promise<ParticipantDto> {
  const { units: unitIds, proxy, ...fields } = patch;
  // Units are bound on their own (all or nothing, apart from role or presence changes).
  if (unitIds && Object.keys(fields).length) throw new AppError('invalid_input', {}, {}, ['units']);
  // Binding units is check-in work the secretary does too; everything else is the host's.
  if (!unitIds) await requireHost(deps, user, meetingId);
  else {
    const access = await requireParticipant(deps, user, meetingId);
    if (!canFacilitate(access.role)) throw new AppError('forbidden');
  }
  const [exists] = await deps.db.select({ userId: participants.userId }).from(participants).where(and(eq(participants.meetingId, meetingId), eq(participants.userId, userId)));
  if (!exists) throw new AppError('not_found');
  if (unitIds) {
    await bindUnits(deps, meetingId, userId, unitIds, proxy ?? []);
    const [row] = await deps.db.select().from(participants).where(and(eq(participants.meetingId, meetingId), eq(participants.userId, userId)));
    deps.events.emit('roster', meetingId);
    return participantDto(row!, (await boundUnits(deps.db, meetingId)).get(userId));
  }
  const updated = await deps.db.transaction(async (tx) => {
    const [target] = await tx
      .select()
      .from(participants)
      .where(and(eq(participants.meetingId, meetingId), eq(participants.userId, userId)));
    if (!target) throw new AppError('not_found');
    if (target.role === 'host' && patch.role && patch.role !== 'host') {
      const hosts = await tx
        .select({ userId: participants.userId })
        .from(participants)
        .where(and(eq(participants.meetingId, meetingId), eq(participants.role, 'host')));
      if (hosts.length <= 1) throw new AppError('last_host');
    }
    const [row] = await tx
      .update(participants)
      .set(fields)
      .where(and(eq(participants.meetingId, meetingId), eq(participants.userId, userId)))
      .returning();
    return row!;
  });
  deps.events.emit('roster', meetingId);
  return participantDto(updated, (await boundUnits(deps.db, meetingId)).get(userId));
}
