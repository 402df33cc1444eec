import { createIdeasApi } from '$lib/ideas/api';
import { loadForOrganiser } from '$lib/ideas/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) =>
  loadForOrganiser(url, async () => {
    const api = createIdeasApi(fetch);
    const [result, round] = await Promise.all([api.result(params.roundId), api.publicRound(params.roundId)]);
    return { communityId: params.communityId, result, round };
  });
