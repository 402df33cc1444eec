/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/*
 * The app shell offline, and a repeat visit that does not wait for the network. A tablet in a
 * community room loses Wi-Fi and reloads: it must get the meeting (from IndexedDB, marked offline),
 * not the browser's error page; and on a slow link it should show the agenda it already has at once.
 *
 * - The build's assets (hashed, immutable) and static files are cached at install, served cache-first.
 * - Pages: the last good copy of a page answers at once and is refreshed in the background (pages
 *   render in the browser, so a page is a shell that names this version's scripts; the copies live
 *   in this version's cache, so a shell never names scripts the cache no longer holds). A page never
 *   seen is fetched; offline, the shell of any page (kept at install and on every page load) answers.
 * - A few API reads the meeting page needs to start (who I am, the meeting): the first read of each
 *   by a page this worker just served from its cache is answered from the last answer (the page
 *   still shows "connecting" until the live document is synced, and re-reads the meeting at once);
 *   every other read is network first, with the last answer as the offline fallback. Everything
 *   else (writes, /yjs, /socket.io) is never touched: the live document keeps its own offline store.
 * - Cached reads belong to the session that made them: logging in, signing up, joining as a guest
 *   or logging out empties them (and a 401/403 drops the one refused), so the next person on a
 *   shared tablet sees nothing of the previous one's.
 */
import { build, files, version } from '$service-worker';

const self = globalThis.self as unknown as ServiceWorkerGlobalScope;
const ASSETS = `yishi-assets-${version}`;
const PAGES = `yishi-pages-${version}`;
const READS = 'yishi-reads';
const SHELL = '/__shell';

/** API reads kept for offline start (GET only). */
const OFFLINE_READS = [/^\/api\/me$/, /^\/api\/meetings\/[A-Za-z0-9_-]{1,64}$/, /^\/api\/meetings\/[A-Za-z0-9_-]{1,64}\/participants$/];
/** Requests that start or end a session: the cached reads were someone else's. */
const SESSION_CHANGES = [/^\/api\/auth\//, /^\/api\/join$/, /^\/api\/demo$/];

/**
 * The reads a page waits for before it renders, by the page's address: who I am (every page's
 * layout) and, on a meeting page, the meeting. On a repeat visit they are answered from the cache.
 */
function startupReads(pathname: string): string[] {
  const meeting = /^\/m\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return meeting ? ['/api/me', `/api/meetings/${meeting[1]}`] : ['/api/me'];
}

/** How long after a page is served from the cache its startup reads may be too. */
const STARTUP_MS = 10_000;

/**
 * Startup reads of pages just served from the cache, not yet asked for: each is answered from the
 * cache once (by address: the first of them may be the shell's preload, which names no client).
 * Kept in memory only: a worker stopped and restarted has forgotten them and goes to the network.
 */
const pendingStartupReads = new Map<string, number>();

/** Bumped when a session starts or ends: an answer read before that is not kept after it. */
let session = 0;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ASSETS);
      await cache.addAll([...build, ...files]);
      // A shell of this version for offline reloads of pages not seen since it was installed.
      try {
        const shell = await fetch('/');
        if (shell.ok && !shell.redirected) await (await caches.open(PAGES)).put(SHELL, shell);
      } catch {
        // Offline during install: the next page load keeps one.
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if ((key.startsWith('yishi-assets-') && key !== ASSETS) || (key.startsWith('yishi-pages') && key !== PAGES)) await caches.delete(key);
      }
      await self.clients.claim();
      await keepOpenPages();
    })(),
  );
});

/**
 * The pages open when this worker arrives were loaded past it: keeps each, and its startup reads,
 * so that the next visit (the second ever on a new tablet) already starts from the cache.
 */
async function keepOpenPages(): Promise<void> {
  const readIn = session;
  const [pages, reads] = await Promise.all([caches.open(PAGES), caches.open(READS)]);
  for (const client of await self.clients.matchAll({ type: 'window' })) {
    const url = new URL(client.url);
    if (url.origin !== self.location.origin || !isPage(url)) continue;
    try {
      const shell = await fetch(url.href);
      await keep(pages, url.href, shell, SHELL, readIn);
      for (const path of startupReads(url.pathname)) {
        await keep(reads, path, await fetch(path, { headers: { accept: 'application/json' } }), undefined, readIn);
      }
    } catch {
      // Offline now: the next page load keeps them.
    }
  }
}

/** Addresses that are pages of the app (not downloads or API answers opened in the tab). */
function isPage(url: URL): boolean {
  return !url.pathname.startsWith('/api/') && url.pathname !== '/healthz';
}

const assets = new Set([...build, ...files]);

/** Keeps a good answer (a redirected one cannot answer a navigation later; errors are not worth it). */
async function keep(cache: Cache, request: Request | string, response: Response, fallbackKey?: string, readIn = session): Promise<void> {
  if (!response.ok || response.redirected || readIn !== session) return;
  await cache.put(request, response.clone());
  if (fallbackKey) await cache.put(fallbackKey, response.clone());
}

async function networkFirst(request: Request, cacheName: string, fallbackKey?: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  const readIn = session;
  try {
    const response = await fetch(request);
    await keep(cache, request, response, fallbackKey, readIn);
    if (cacheName === READS && (response.status === 401 || response.status === 403)) await cache.delete(request);
    return response;
  } catch (error) {
    const cached = (await cache.match(request)) ?? (fallbackKey ? await cache.match(fallbackKey) : undefined);
    if (cached) return cached;
    throw error;
  }
}

/** A page from the cache at once, refreshed in the background; a page never seen from the network. */
async function page(event: FetchEvent): Promise<Response> {
  const cache = await caches.open(PAGES);
  const cached = await cache.match(event.request);
  if (!cached) return networkFirst(event.request, PAGES, SHELL);
  const until = Date.now() + STARTUP_MS;
  for (const path of startupReads(new URL(event.request.url).pathname)) pendingStartupReads.set(path, until);
  const readIn = session;
  event.waitUntil(
    fetch(event.request)
      .then((response) => keep(cache, event.request, response, SHELL, readIn))
      .catch(() => {}),
  );
  return cached;
}

/** A startup read of a page served from the cache: the last answer at once, refreshed behind it. */
async function read(event: FetchEvent, pathname: string): Promise<Response> {
  const until = pendingStartupReads.get(pathname);
  pendingStartupReads.delete(pathname);
  // Only the page's first read of each: later ones (the room re-reads the meeting) go to the network.
  if (until !== undefined && Date.now() <= until) {
    const cached = await (await caches.open(READS)).match(event.request);
    if (cached) {
      event.waitUntil(networkFirst(event.request.clone(), READS).catch(() => {}));
      return cached;
    }
  }
  return networkFirst(event.request, READS);
}

/** Forgets what the last session read: its API answers and the addresses of the pages it opened. */
async function forgetSession(): Promise<void> {
  session += 1;
  pendingStartupReads.clear();
  await caches.delete(READS);
  const pages = await caches.open(PAGES);
  for (const request of await pages.keys()) if (new URL(request.url).pathname !== SHELL) await pages.delete(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && SESSION_CHANGES.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(
      (async () => {
        await forgetSession();
        const response = await fetch(request);
        // Whatever was read while the request travelled belonged to the session before it.
        await forgetSession();
        return response;
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
  if (request.mode === 'navigate' && isPage(url)) {
    event.respondWith(page(event));
    return;
  }
  if (OFFLINE_READS.some((pattern) => pattern.test(url.pathname))) event.respondWith(read(event, url.pathname));
});
