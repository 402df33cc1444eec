import { redirect } from '@sveltejs/kit';
import { ApiError, createApi, failLoad, loginUrl } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) => {
  try {
    return { meetingId: params.id, minutes: await createApi(fetch).minutes(params.id) };
  } catch (cause) {
    if (cause instanceof ApiError && cause.status === 401)
      redirect(307, loginUrl(url.pathname + url.search));
    // Participants who are not host or secretary get an explanation, not an error screen.
    if (cause instanceof ApiError && cause.status === 403)
      return { meetingId: params.id, minutes: null };
    failLoad(cause);
  }
};
