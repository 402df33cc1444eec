import { createApi } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import { loadForOrganiser } from '$lib/ideas/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url, depends }) => {
  depends('app:campaigns');
  return loadForOrganiser(url, async () => {
    const [community, campaigns] = await Promise.all([createApi(fetch).community(params.communityId), createIdeasApi(fetch).campaigns(params.communityId)]);
    return { community, campaigns };
  });
};
