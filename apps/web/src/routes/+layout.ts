import { createApi } from '$lib/api';
import type { LayoutLoad } from './$types';

// Pages render in the browser and get every datum from the JSON API: one copy of the rules, in the server.
export const ssr = false;

export const load: LayoutLoad = async ({ fetch, depends }) => {
  depends('app:me');
  return { user: await createApi(fetch).me() };
};
