import type { Handle } from '@sveltejs/kit';
import { isEmbeddablePage } from '@yishi/model';
import { paraglideMiddleware } from '$lib/paraglide/server';

// Pages render in the browser; the shell only needs the right <html lang> for the first paint.
export const handle: Handle = async ({ event, resolve }) => {
  const response = await paraglideMiddleware(event.request, ({ request, locale }) => {
    event.request = request;
    return resolve(event, {
      transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale),
    });
  });
  const csp = response.headers.get('content-security-policy');
  if (csp && isEmbeddablePage(event.url.pathname)) {
    response.headers.set('content-security-policy', csp.replace("frame-ancestors 'none'", 'frame-ancestors *'));
  }
  return response;
};
