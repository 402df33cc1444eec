import { createApi } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import { loadForOrganiser } from '$lib/ideas/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) =>
  loadForOrganiser(url, async () => {
    const [campaign, community] = await Promise.all([createIdeasApi(fetch).campaign(params.campaignId), createApi(fetch).community(params.communityId)]);
    return { campaign, community };
  });
