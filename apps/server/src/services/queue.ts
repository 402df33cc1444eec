import { and, asc, eq, sql } from 'drizzle-orm';
import { participants, speakerQueue } from '@yishi/db';
import {
  canEdit,
  canFacilitate,
  ROOM_LIMITS,
  type Affiliation,
  type QueueDto,
  type QueueEntryDto,
  type QueueLowerPayload,
  type QueueNextPayload,
  type QueueRaisePayload,
  type QueueReorderPayload,
  meetingIsOver,
  type MeetingStatus,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { meetingAccess, type MeetingAccess } from '../access.ts';

type Tx = Parameters<Parameters<Deps['db']['transaction']>[0]>[0];

/** Serializes queue changes of one meeting across instances (positions are read, then written). */
const lockQueue = (tx: Tx, meetingId: string) => tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'queue:' + meetingId}))`);

async function access(deps: Deps, meetingId: string, userId: string): Promise<MeetingAccess> {
  const found = await meetingAccess(deps, meetingId, userId);
  if (!found) throw new AppError('forbidden');
  return found;
}

async function facilitator(deps: Deps, meetingId: string, userId: string): Promise<MeetingAccess> {
  const found = await access(deps, meetingId, userId);
  if (!canFacilitate(found.role)) throw new AppError('forbidden');
  return found;
}

/** The queue of a meeting as everyone sees it. */
export async function readQueue(deps: Deps | { db: Tx }, meetingId: string): Promise<QueueDto> {
  const rows = await deps.db
    .select({ entry: speakerQueue, name: participants.name, affiliation: participants.affiliation })
    .from(speakerQueue)
    .innerJoin(participants, and(eq(participants.meetingId, speakerQueue.meetingId), eq(participants.userId, speakerQueue.userId)))
    .where(eq(speakerQueue.meetingId, meetingId))
    .orderBy(asc(speakerQueue.position), asc(speakerQueue.raisedAt));
  const dto = (r: (typeof rows)[number]): QueueEntryDto => {
    const out: QueueEntryDto = {
      userId: r.entry.userId,
      name: r.name,
      affiliation: r.affiliation as Affiliation,
      raisedAt: r.entry.raisedAt.toISOString(),
    };
    if (r.entry.startedAt) out.startedAt = r.entry.startedAt.toISOString();
    if (r.entry.limitSeconds !== null) out.limitSeconds = r.entry.limitSeconds;
    return out;
  };
  const speaking = rows.find((r) => r.entry.state === 'speaking');
  return { meetingId, speaking: speaking ? dto(speaking) : null, waiting: rows.filter((r) => r.entry.state === 'waiting').map(dto) };
}

/** The queue, for anyone in the meeting. */
export async function listQueue(deps: Deps, userId: string, meetingId: string): Promise<QueueDto> {
  await access(deps, meetingId, userId);
  return readQueue(deps, meetingId);
}

/** Raises a hand (one's own; a facilitator may raise one for a participant without a device). Idempotent. */
export async function raiseHand(deps: Deps, userId: string, body: QueueRaisePayload): Promise<QueueDto> {
  const me = await access(deps, body.meetingId, userId);
  const target = body.userId ?? userId;
  if (target !== userId && !canFacilitate(me.role)) throw new AppError('forbidden');
  const who = target === userId ? me : await meetingAccess(deps, body.meetingId, target);
  if (!who) throw new AppError('not_found');
  // Observers watch; a closed meeting takes no more speakers.
  if (!canEdit(who.role)) throw new AppError('forbidden');
  if (meetingIsOver(me.meeting.status as MeetingStatus)) throw new AppError('meeting_ended');
  return deps.db.transaction(async (tx) => {
    await lockQueue(tx, body.meetingId);
    const [stats] = await tx
      .select({ n: sql<number>`count(*)::int`, max: sql<number | null>`max(${speakerQueue.position})` })
      .from(speakerQueue)
      .where(eq(speakerQueue.meetingId, body.meetingId));
    if ((stats?.n ?? 0) >= ROOM_LIMITS.queue) throw new AppError('queue_full');
    await tx
      .insert(speakerQueue)
      .values({ meetingId: body.meetingId, userId: target, position: (stats?.max ?? 0) + 1 })
      .onConflictDoNothing();
    return readQueue({ db: tx }, body.meetingId);
  });
}

/** Lowers a hand (one's own; a facilitator may lower anyone's, the speaker's too). Idempotent. */
export async function lowerHand(deps: Deps, userId: string, body: QueueLowerPayload): Promise<QueueDto> {
  const me = await access(deps, body.meetingId, userId);
  const target = body.userId ?? userId;
  if (target !== userId && !canFacilitate(me.role)) throw new AppError('forbidden');
  return deps.db.transaction(async (tx) => {
    await lockQueue(tx, body.meetingId);
    await tx.delete(speakerQueue).where(and(eq(speakerQueue.meetingId, body.meetingId), eq(speakerQueue.userId, target)));
    return readQueue({ db: tx }, body.meetingId);
  });
}

/** The speaker is done; the first waiting hand gets the floor (with optional speaking time). */
export async function nextSpeaker(deps: Deps, userId: string, body: QueueNextPayload): Promise<QueueDto> {
  await facilitator(deps, body.meetingId, userId);
  return deps.db.transaction(async (tx) => {
    await lockQueue(tx, body.meetingId);
    await tx.delete(speakerQueue).where(and(eq(speakerQueue.meetingId, body.meetingId), eq(speakerQueue.state, 'speaking')));
    const [first] = await tx
      .select({ userId: speakerQueue.userId })
      .from(speakerQueue)
      .where(and(eq(speakerQueue.meetingId, body.meetingId), eq(speakerQueue.state, 'waiting')))
      .orderBy(asc(speakerQueue.position), asc(speakerQueue.raisedAt))
      .limit(1);
    if (first) {
      await tx
        .update(speakerQueue)
        .set({ state: 'speaking', startedAt: sql`now()`, limitSeconds: body.limitSeconds ?? null })
        .where(and(eq(speakerQueue.meetingId, body.meetingId), eq(speakerQueue.userId, first.userId)));
    }
    return readQueue({ db: tx }, body.meetingId);
  });
}

/** Puts the waiting hands in a new order; the list must name exactly the waiting hands. */
export async function reorderQueue(deps: Deps, userId: string, body: QueueReorderPayload): Promise<QueueDto> {
  await facilitator(deps, body.meetingId, userId);
  return deps.db.transaction(async (tx) => {
    await lockQueue(tx, body.meetingId);
    const waiting = await tx
      .select({ userId: speakerQueue.userId })
      .from(speakerQueue)
      .where(and(eq(speakerQueue.meetingId, body.meetingId), eq(speakerQueue.state, 'waiting')));
    const current = new Set(waiting.map((w) => w.userId));
    const wanted = new Set(body.order);
    // Someone raised or lowered a hand meanwhile: the caller must reorder what is there now.
    if (wanted.size !== body.order.length || wanted.size !== current.size || ![...wanted].every((u) => current.has(u))) {
      throw new AppError('queue_changed');
    }
    for (const [i, target] of body.order.entries()) {
      await tx
        .update(speakerQueue)
        .set({ position: i + 1 })
        .where(and(eq(speakerQueue.meetingId, body.meetingId), eq(speakerQueue.userId, target)));
    }
    return readQueue({ db: tx }, body.meetingId);
  });
}
