import { createApi, failLoad } from '$lib/api';
import type { PageLoad } from './$types';

// Public like the board it prints.
export const load: PageLoad = async ({ params, fetch }) => {
  try {
    return { board: await createApi(fetch).publicBoard(params.communityId) };
  } catch (cause) {
    failLoad(cause);
  }
};
