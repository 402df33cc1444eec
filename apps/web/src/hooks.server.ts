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
  // A meeting page's first requests, announced with the shell: on a slow link they travel while
  // the app's scripts download instead of after them (apps/bench firstLoad measures it). They go
  // first, before SvelteKit's modulepreloads: the browser opens six connections and fetches in order.
  const meeting = /^\/m\/([a-z0-9]{1,64})\/?$/.exec(event.url.pathname);
  if (meeting && response.headers.get('content-type')?.startsWith('text/html')) {
    const reads = `</api/me>; rel=preload; as=fetch; crossorigin, </api/meetings/${meeting[1]}>; rel=preload; as=fetch; crossorigin`;
    const scripts = response.headers.get('link');
    response.headers.set('link', scripts ? `${reads}, ${scripts}` : reads);
  }
  const csp = response.headers.get('content-security-policy');
  if (csp && isEmbeddablePage(event.url.pathname)) {
    response.headers.set('content-security-policy', csp.replace("frame-ancestors 'none'", 'frame-ancestors *'));
  }
  return response;
};
