import type { HandleClientError } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages.js';

// Expected errors (from `error()`) keep their localized message; anything else gets a plain one.
export const handleError: HandleClientError = ({ error, status }) => {
  if (status === 404) return { message: m.page_not_found() };
  console.error(error);
  return { message: m.error_unexpected() };
};
