import { failLoad } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import type { PageLoad } from './$types';

// Public: a household answers a ranking round with its household code (or building and unit).
export const load: PageLoad = async ({ params, fetch, url }) => {
  try {
    return { round: await createIdeasApi(fetch).publicRound(params.roundId), code: url.searchParams.get('code') ?? '' };
  } catch (cause) {
    failLoad(cause);
  }
};
