import { and, eq, inArray } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { communities, communityMembers, meetings, participants, type Db } from '@yishi/db';
import type { CommunityDto, MeetingRole } from '@yishi/model';
import { Batcher } from './batch.ts';
import type { Deps } from './deps.ts';
import { AppError } from './errors.ts';

/*
 * Who may do what: the access checks every transport and service shares. They sit below services/,
 * polls/ and yjs/, which all import them, so no folder imports another in a circle.
 */

type MeetingRow = typeof meetings.$inferSelect;
type ParticipantRow = typeof participants.$inferSelect;

export interface MeetingAccess {
  meeting: MeetingRow;
  participant: ParticipantRow;
  role: MeetingRole;
}

/**
 * The one access check for a meeting, used by the API, the Yjs endpoint and socket.io:
 * null when the meeting does not exist or the user is not on its roster.
 */
export function meetingAccess(deps: Pick<Deps, 'db'>, meetingId: string, userId: string): Promise<MeetingAccess | null> {
  let loader = accessLoaders.get(deps.db);
  if (!loader) {
    loader = new Batcher((keys) => loadAccess(deps.db, keys), null);
    accessLoaders.set(deps.db, loader);
  }
  return loader.load(`${meetingId} ${userId}`);
}

/** Access lookups of one database, gathered per macrotask: a room arriving together is one query. */
const accessLoaders = new WeakMap<Db, Batcher<string, MeetingAccess | null>>();

async function loadAccess(db: Db, keys: string[]): Promise<Map<string, MeetingAccess>> {
  const pairs = keys.map((k) => k.split(' ') as [string, string]);
  const rows = await db
    .select({ meeting: meetings, participant: participants })
    .from(meetings)
    .innerJoin(participants, eq(participants.meetingId, meetings.id))
    .where(and(inArray(meetings.id, [...new Set(pairs.map((p) => p[0]))]), inArray(participants.userId, [...new Set(pairs.map((p) => p[1]))])));
  const found = new Map<string, MeetingAccess>();
  for (const row of rows) found.set(`${row.meeting.id} ${row.participant.userId}`, { ...row, role: row.participant.role as MeetingRole });
  return found;
}

/** Like meetingAccess, but answers 401 / 404 / 403 as the API should. */
export async function requireParticipant(deps: Deps, user: SessionUser | null, meetingId: string): Promise<MeetingAccess> {
  if (!user) throw new AppError('unauthenticated');
  const access = await meetingAccess(deps, meetingId, user.id);
  if (access) return access;
  const exists = await deps.db.select({ id: meetings.id }).from(meetings).where(eq(meetings.id, meetingId));
  throw new AppError(exists.length ? 'forbidden' : 'not_found');
}

export async function requireHost(deps: Deps, user: SessionUser | null, meetingId: string): Promise<MeetingAccess> {
  const access = await requireParticipant(deps, user, meetingId);
  if (access.role !== 'host') throw new AppError('forbidden');
  return access;
}

/** Guests exist only inside the meeting they joined; they cannot create or administer anything. */
export function requireAccount(user: SessionUser | null): SessionUser {
  if (!user) throw new AppError('unauthenticated');
  if (user.guestOfMeetingId) throw new AppError('guest_not_allowed');
  return user;
}

/** The caller's role in a community, or 403 / 404. */
export async function requireCommunityMember(deps: Deps, user: SessionUser, communityId: string): Promise<CommunityDto> {
  const rows = await deps.db
    .select({ id: communities.id, name: communities.name, role: communityMembers.role })
    .from(communities)
    .leftJoin(communityMembers, and(eq(communityMembers.communityId, communities.id), eq(communityMembers.userId, user.id)))
    .where(eq(communities.id, communityId));
  const row = rows[0];
  if (!row) throw new AppError('not_found');
  if (!row.role) throw new AppError('forbidden');
  return { id: row.id, name: row.name, role: row.role };
}

