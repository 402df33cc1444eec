import { createApi } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import { loadForOrganiser } from '$lib/ideas/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) =>
  loadForOrganiser(url, async () => {
    const [community, register] = await Promise.all([createApi(fetch).community(params.communityId), createIdeasApi(fetch).units(params.communityId)]);
    return { community, register };
  });
