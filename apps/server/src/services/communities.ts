import { desc, eq } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { communities, communityMembers, meetings } from '@yishi/db';
import type { CommunityDto, MeetingKind, MeetingStatus, MeetingSummaryDto } from '@yishi/model';
import { requireAccount, requireCommunityMember } from '../access.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../ids.ts';

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
