/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/*
 * The app shell offline. A tablet in a community room loses Wi-Fi and reloads: it must get the
 * meeting (from IndexedDB, marked offline), not the browser's error page.
 *
 * - The build's assets (hashed, immutable) and static files are cached at install, served cache-first.
 * - Pages: network first; the last good copy of each page (and of the shell, which is the same for
 *   every page since pages render in the browser) answers when the network is gone.
 * - A few API reads the meeting page needs to start (who I am, the meeting) are network first with
 *   the last answer as the offline fallback. Everything else (writes, /yjs, /socket.io) is never
 *   touched: the live document keeps its own offline store and says when it is offline.
 * - Logging out empties the cached reads, so the next person on a shared tablet sees nothing of them.
 */
import { build, files, version } from '$service-worker';

const self = globalThis.self as unknown as ServiceWorkerGlobalScope;
const ASSETS = `yishi-assets-${version}`;
const PAGES = 'yishi-pages';
const READS = 'yishi-reads';
const SHELL = '/__shell';

/** API reads kept for offline start (GET only). */
const OFFLINE_READS = [/^\/api\/me$/, /^\/api\/meetings\/[A-Za-z0-9_-]{1,64}$/, /^\/api\/meetings\/[A-Za-z0-9_-]{1,64}\/participants$/];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ASSETS);
      await cache.addAll([...build, ...files]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('yishi-assets-') && key !== ASSETS) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

const assets = new Set([...build, ...files]);

async function networkFirst(request: Request, cacheName: string, fallbackKey?: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    // A redirected response cannot answer a navigation later; errors are not worth keeping.
    if (response.ok && !response.redirected) {
      await cache.put(request, response.clone());
      if (fallbackKey) await cache.put(fallbackKey, response.clone());
    }
    return response;
  } catch (error) {
    const cached = (await cache.match(request)) ?? (fallbackKey ? await cache.match(fallbackKey) : undefined);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/api/auth/logout') {
    event.respondWith(
      (async () => {
        await caches.delete(READS);
        await caches.delete(PAGES);
        return fetch(request);
      })(),
    );
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.startsWith('/yjs') || url.pathname.startsWith('/socket.io')) return;
  if (assets.has(url.pathname)) {
    event.respondWith(caches.open(ASSETS).then(async (cache) => (await cache.match(url.pathname)) ?? fetch(request)));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, PAGES, SHELL));
    return;
  }
  if (OFFLINE_READS.some((pattern) => pattern.test(url.pathname))) event.respondWith(networkFirst(request, READS));
});
