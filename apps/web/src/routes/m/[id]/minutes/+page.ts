import { createApi, loadForMember } from '$lib/api';
import type { PageLoad } from './$types';

// Participants who are not host or secretary get an explanation (minutes: null), not an error screen.
export const load: PageLoad = async ({ params, fetch, url }) => ({
  meetingId: params.id,
  minutes: await loadForMember(url, () => createApi(fetch).minutes(params.id)),
});
