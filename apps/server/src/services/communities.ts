import { and, desc, eq } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { communities, communityMembers, meetings } from '@yishi/db';
import type { CommunityDto, MeetingKind, MeetingStatus, MeetingSummaryDto } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../http/errors.ts';
import { newId } from '../ids.ts';

/** Guests exist only inside the meeting they joined; they cannot create or administer anything. */
export function requireAccount(user: SessionUser | null): SessionUser {
  if (!user) throw new AppError('unauthenticated');
  if (user.guestOfMeetingId) throw new AppError('guest_not_allowed');
  return user;
}

export async function createCommunity(deps: Deps, user: SessionUser, name: string): Promise<CommunityDto> {
  const account = requireAccount(user);
  const id = newId();
  await deps.db.transaction(async (tx) => {
    await tx.insert(communities).values({ id, name, createdBy: account.id });
    await tx.insert(communityMembers).values({ communityId: id, userId: account.id, role: 'admin' });
  });
  return { id, name, role: 'admin' };
}

export async function listCommunities(deps: Deps, user: SessionUser): Promise<CommunityDto[]> {
  const rows = await deps.db
    .select({ id: communities.id, name: communities.name, role: communityMembers.role })
    .from(communityMembers)
    .innerJoin(communities, eq(communities.id, communityMembers.communityId))
    .where(eq(communityMembers.userId, user.id))
    .orderBy(communities.createdAt);
  return rows;
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

export async function listCommunityMeetings(deps: Deps, user: SessionUser, communityId: string): Promise<MeetingSummaryDto[]> {
  await requireCommunityMember(deps, requireAccount(user), communityId);
  const rows = await deps.db
    .select()
    .from(meetings)
    .where(eq(meetings.communityId, communityId))
    .orderBy(desc(meetings.createdAt));
  return rows.map((m) => ({
    id: m.id,
    communityId: m.communityId,
    title: m.title,
    kind: m.kind as MeetingKind,
    status: m.status as MeetingStatus,
    startsAt: m.startsAt?.toISOString() ?? null,
    location: m.location,
  }));
}
