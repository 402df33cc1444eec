import { redirect } from '@sveltejs/kit';
import { ApiError, createApi, failLoad, loginUrl } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) => {
  const api = createApi(fetch);
  try {
    const [followUps, board] = await Promise.all([
      api.communityFollowUps(params.communityId),
      api.publicBoard(params.communityId),
    ]);
    return { communityId: params.communityId, communityName: board.community.name, followUps };
  } catch (cause) {
    if (cause instanceof ApiError && cause.status === 401)
      redirect(307, loginUrl(url.pathname + url.search));
    failLoad(cause);
  }
};
