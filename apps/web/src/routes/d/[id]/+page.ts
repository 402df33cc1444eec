import { createApi, failLoad } from '$lib/api';
import type { PageLoad } from './$types';

// Public: a draw by lot that anyone recomputes, with no account.
export const load: PageLoad = async ({ params, fetch }) => {
  try {
    return { draw: await createApi(fetch).publicDraw(params.id) };
  } catch (cause) {
    failLoad(cause);
  }
};
