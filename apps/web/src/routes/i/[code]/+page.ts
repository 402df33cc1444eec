import { failLoad } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import type { PageLoad } from './$types';

// Public: what the QR code on the notice-board poster opens, on a phone with no account.
export const load: PageLoad = async ({ params, fetch }) => {
  try {
    return { code: params.code, campaign: await createIdeasApi(fetch).publicCampaign(params.code) };
  } catch (cause) {
    failLoad(cause);
  }
};
