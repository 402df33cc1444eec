import { createApi } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import { loadForOrganiser } from '$lib/ideas/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) =>
  loadForOrganiser(url, async () => {
    const api = createIdeasApi(fetch);
    const [codes, round, community] = await Promise.all([api.codes(params.roundId), api.publicRound(params.roundId), createApi(fetch).community(params.communityId)]);
    return { communityId: params.communityId, codes, round, community };
  });
