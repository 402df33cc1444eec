import type { CommunityDto, MeetingSummaryDto } from '@yishi/model';
import { createApi, failLoad } from '$lib/api';
import type { PageLoad } from './$types';

/** A community on the home page, with its meetings newest first. */
export interface CommunityWithMeetings extends CommunityDto {
  meetings: MeetingSummaryDto[];
}

export const load: PageLoad = async ({ parent, fetch, depends }) => {
  depends('app:communities');
  const { user } = await parent();
  if (!user || user.guest) return { communities: [] as CommunityWithMeetings[] };
  const client = createApi(fetch);
  try {
    const communities = await client.communities();
    const meetings = await Promise.all(communities.map((c) => client.communityMeetings(c.id)));
    return {
      communities: communities.map((c, i): CommunityWithMeetings => ({
        ...c,
        meetings: meetings[i] ?? [],
      })),
    };
  } catch (cause) {
    failLoad(cause);
  }
};
