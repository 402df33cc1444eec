import { failLoad } from '$lib/api';
import { createIdeasApi } from '$lib/ideas/api';
import type { PageLoad } from './$types';

// Public: a resident follows their own idea by its receipt code.
export const load: PageLoad = async ({ params, fetch }) => {
  try {
    return { receipt: params.receipt, idea: await createIdeasApi(fetch).receipt(params.receipt) };
  } catch (cause) {
    failLoad(cause);
  }
};
