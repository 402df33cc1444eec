import { redirect } from '@sveltejs/kit';
import { ApiError, createApi, failLoad, loginUrl } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) => {
  try {
    return { meeting: await createApi(fetch).meeting(params.id) };
  } catch (cause) {
    if (cause instanceof ApiError && cause.status === 401)
      redirect(307, loginUrl(url.pathname + url.search));
    // Someone who is not on the roster gets a friendly page, not an error screen.
    if (cause instanceof ApiError && cause.status === 403) return { meeting: null };
    failLoad(cause);
  }
};
