import { createApi } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import { loadForOrganiser } from '$lib/ideas/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) =>
  loadForOrganiser(url, async () => {
    const ideas = createIdeasApi(fetch);
    const [campaign, list, meetings] = await Promise.all([
      ideas.campaign(params.campaignId),
      ideas.ideas(params.campaignId),
      createApi(fetch).communityMeetings(params.communityId),
    ]);
    return { communityId: params.communityId, campaign, ideas: list, meetings };
  });
