import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** How a websocket ended, as the client saw it. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** A `ws` WebSocket that sends a session cookie (and optionally an Origin), as a browser would. */
export function cookieWebSocket(
  cookie: string,
  origin?: string,
): new (url: string | URL, protocols?: string | string[]) => WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie, ...(origin ? { origin } : {}) } });
    }
  };
}

/** Resolves when `predicate` holds, re-checked on every change of the doc; rejects after `ms`. */
export function waitFor(
  doc: Y.Doc,
  predicate: () => boolean,
  label = 'condition',
  ms = 15_000,
): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      doc.off('update', check);
      resolve();
    };
    const timer = setTimeout(() => {
      doc.off('update', check);
      reject(new Error(`timed out waiting for ${label}`));
    }, ms);
    doc.on('update', check);
  });
}

/** Resolves when an event fires; rejects after `ms` (a guard against hanging, not a measurement). */
export function once<T>(
  subscribe: (fire: (value: T) => void) => void,
  label: string,
  ms = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** A stock y-websocket provider in Node with a session cookie and its own doc. */
export interface TestPeer {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Resolves once the first sync with the server completed. */
  synced: Promise<void>;
  /** Resolves with the close code when the server closes the connection permanently (4400–4499). */
  closed: Promise<CloseInfo>;
  /** Every close event the provider saw. */
  closes: CloseInfo[];
  destroy(): void;
}

export function connectPeer(
  wsUrl: string,
  meetingId: string,
  cookie: string,
  options: { origin?: string; doc?: Y.Doc; connect?: boolean } = {},
): TestPeer {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, meetingId, doc, {
    WebSocketPolyfill: cookieWebSocket(
      cookie,
      options.origin,
    ) as unknown as typeof globalThis.WebSocket,
    // Node 20 has BroadcastChannel: peers in one process would sync around the server.
    disableBc: true,
    connect: options.connect ?? true,
    maxBackoffTime: 200,
  });
  const closes: CloseInfo[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  const synced = once<void>((fire) => {
    if (provider.synced) fire();
    provider.on('sync', (state: boolean) => state && fire());
  }, `sync of ${meetingId}`);
  const closed = once<CloseInfo>(
    (fire) => provider.on('closed', (event) => fire(event)),
    `close of ${meetingId}`,
  );
  // Tests that expect a sync must not see an unhandled rejection from the other promise.
  synced.catch(() => {});
  closed.catch(() => {});
  return {
    doc,
    provider,
    synced,
    closed,
    closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** A raw websocket to /yjs for hostile tests: sends exactly the bytes it is given. */
export function rawSocket(wsUrl: string, meetingId: string, cookie: string, origin?: string) {
  const ws = new (cookieWebSocket(cookie, origin))(`${wsUrl}/yjs/${meetingId}`);
  const messages: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
  ws.on('error', () => {});
  const opened = once<void>((fire) => ws.once('open', () => fire()), 'raw socket open');
  const closed = once<CloseInfo>(
    (fire) =>
      ws.once('close', (code: number, reason: Buffer) => fire({ code, reason: reason.toString() })),
    'raw socket close',
  );
  const unexpected = once<number>(
    (fire) => ws.once('unexpected-response', (_req, res) => fire(res.statusCode ?? 0)),
    'refusal',
  );
  opened.catch(() => {});
  closed.catch(() => {});
  unexpected.catch(() => {});
  return { ws, messages, opened, closed, unexpected };
}

/** Resolves when `check` holds, re-checked every few milliseconds; rejects after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  label: string,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A bare update deleting `len` clocks of `client` from `clock`: no structs (zero clients), then a
 * delete set of one client with one range. What a hostile peer can send in about 30 bytes.
 */
export function forgedDelete(client: number, clock: number, len: number): Uint8Array {
  const e = encoding.createEncoder();
  for (const n of [0, 1, client, 1, clock, len]) encoding.writeVarUint(e, n);
  return encoding.toUint8Array(e);
}
