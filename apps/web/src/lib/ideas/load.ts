import { redirect } from '@sveltejs/kit';
import { ApiError, failLoad, loginUrl } from '$lib/api';

/** Organiser pages: no session → the login page and back; anything else failing → the error page. */
export async function loadForOrganiser<T>(url: URL, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (cause) {
    if (cause instanceof ApiError && cause.status === 401) redirect(307, loginUrl(url.pathname + url.search));
    failLoad(cause);
  }
}
