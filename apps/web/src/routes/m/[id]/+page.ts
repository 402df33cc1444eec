import { createApi, loadForMember } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, url }) => ({
  meeting: await loadForMember(url, () => createApi(fetch).meeting(params.id)),
});
