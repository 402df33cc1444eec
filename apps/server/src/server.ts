import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { isEmbeddablePage } from '@yishi/model';
import type { Deps } from './deps.ts';
import { createApp } from './http/app.ts';
import { listenForEndedSessions } from './sessions.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** A live layer attached to the HTTP server (Yjs, socket.io); closed before the database. */
export interface LiveLayer {
  /** Handles an upgrade for its paths; returns false to let another layer have it. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

export type LiveLayerFactory = (server: Server, deps: Deps) => LiveLayer | Promise<LiveLayer>;

export interface YishiServer {
  server: Server;
  deps: Deps;
  /** Stops accepting, lets live layers store what they hold, then closes. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Live layers to attach, in order. */
  layers?: LiveLayerFactory[];
  /** A SvelteKit adapter-node handler for the pages; loaded from WEB_BUILD_DIR when omitted. */
  webHandler?: NodeHandler | null;
}

/** Loads the SvelteKit handler from a build directory, or null when there is none. */
export async function loadWebHandler(dir: string | undefined): Promise<NodeHandler | null> {
  const candidates = dir ? [dir] : [resolve(import.meta.dirname, '../../web/build')];
  for (const candidate of candidates) {
    const file = join(candidate, 'handler.js');
    if (existsSync(file)) {
      const mod = (await import(pathToFileURL(file).href)) as { handler: NodeHandler };
      return mod.handler;
    }
  }
  return null;
}

const API_PREFIXES = ['/api/', '/healthz'];

/** One HTTP server for everything: API and health (Hono), pages (SvelteKit), and live layers. */
export async function createServer(deps: Deps, options: ServerOptions = {}): Promise<YishiServer> {
  const app = createApp(deps);
  const apiListener = getRequestListener(app.fetch);
  const webHandler = options.webHandler === undefined ? await loadWebHandler(deps.config.webBuildDir) : options.webHandler;

  const server = createHttpServer((req, res) => {
    const url = req.url ?? '/';
    // On every answer, API and pages alike (the pages' Content-Security-Policy comes from SvelteKit).
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Join links carry the join code: it must not leak to other sites through the Referer.
    res.setHeader('Referrer-Policy', 'same-origin');
    if (!isEmbeddablePage(url.split('?')[0] ?? '')) res.setHeader('X-Frame-Options', 'DENY');
    if (url === '/api' || API_PREFIXES.some((p) => url.startsWith(p))) {
      void apiListener(req, res);
      return;
    }
    if (!webHandler) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web app is not built: run `pnpm build`.');
      return;
    }
    webHandler(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
    });
  });
  // Slow or silent clients must not hold sockets forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const stopSessionListener = listenForEndedSessions(deps);
  const layers: LiveLayer[] = [];
  for (const factory of options.layers ?? []) layers.push(await factory(server, deps));

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    for (const layer of layers) if (layer.upgrade?.(req, socket, head)) return;
    // socket.io handles its own path through its own listener; anything else is refused.
    if (!req.url?.startsWith('/socket.io')) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
    }
  });

  return {
    server,
    deps,
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      stopSessionListener();
      deps.liveSessions.close();
      for (const layer of [...layers].reverse()) await layer.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
