import { createApi, failLoad } from '$lib/api';
import type { PageLoad } from './$types';

// Public: no account needed. The root layout's /api/me answers 401 here, which it reads as "no user".
export const load: PageLoad = async ({ params, fetch }) => {
  try {
    return { board: await createApi(fetch).publicBoard(params.communityId) };
  } catch (cause) {
    failLoad(cause);
  }
};
