import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { clock } from '../stats.ts';

/**
 * Latency probes `{s: seq, t: wall-clock ms at the edit}` go into the meeting document's `meta` map
 * under keys `bench:<client>:<seq>`: the server refuses roots the meeting document does not have,
 * and every reader ignores meta keys it does not know.
 */
export const PROBE_MAP = 'meta';
const PROBE_PREFIX = 'bench:';

interface Probe {
  s: number;
  t: number;
}

/** A `ws` WebSocket that sends the session cookie on the upgrade (browsers do this by themselves). */
export function cookieWebSocket(cookie: string): new (address: string | URL, protocols?: string | string[]) => WebSocket {
  return class CookieWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, cookie ? { headers: { cookie } } : {});
    }
  };
}

/** One stock y-websocket client with its own document. */
export class YjsClient {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  /** Resolves with the time to first sync (ms), rejects on a terminal close. */
  readonly synced: Promise<number>;
  private lastError = '';
  private seq = 0;

  constructor(yjsUrl: string, meetingId: string, cookie: string, onProbe?: (latencyMs: number) => void) {
    const started = performance.now();
    this.provider = new WebsocketProvider(yjsUrl, meetingId, this.doc, {
      WebSocketPolyfill: cookieWebSocket(cookie) as unknown as typeof globalThis.WebSocket,
      // Node has BroadcastChannel: clients in one process would otherwise sync past the server.
      disableBc: true,
    });
    this.synced = new Promise<number>((done, fail) => {
      this.provider.on('sync', (isSynced: boolean) => {
        if (isSynced) done(performance.now() - started);
      });
      this.provider.on('connection-error', (event: Event) => {
        this.lastError = (event as Event & { message?: string }).message ?? 'connection error';
      });
      this.provider.on('connection-close', (event: { code: number; reason: string } | null) => {
        if (event && event.code !== 1000) this.lastError = `closed ${event.code} ${event.reason}`.trim();
      });
      this.provider.on('closed', (close: { code: number; reason: string }) => fail(new Error(`closed by the server: ${close.code} ${close.reason}`)));
    });
    // Observed through syncWithin; this only keeps a late terminal close from being "unhandled".
    this.synced.catch(() => undefined);
    if (onProbe) {
      const probes = this.doc.getMap<Probe>(PROBE_MAP);
      probes.observe((event) => {
        const now = clock();
        // Only edits that came over the wire: a typist's own writes are local transactions.
        if (event.transaction.origin !== this.provider) return;
        for (const key of event.keysChanged) {
          if (!key.startsWith(PROBE_PREFIX)) continue;
          const probe = probes.get(key);
          if (typeof probe?.t === 'number') onProbe(now - probe.t);
        }
      });
    }
  }

  /** The last connection problem seen, for reports. */
  get error(): string {
    return this.lastError || 'no sync';
  }

  /** Writes one latency probe stamped with the shared clock. */
  edit(): void {
    const probe: Probe = { s: this.seq++, t: clock() };
    this.doc.getMap<Probe>(PROBE_MAP).set(`${PROBE_PREFIX}${this.doc.clientID}:${probe.s}`, probe);
  }

  destroy(): void {
    this.provider.destroy();
    this.doc.destroy();
  }
}

/** Waits for a sync, failing after `timeoutMs`. */
export function syncWithin(client: YjsClient, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no sync within ${timeoutMs} ms (${client.error})`)), timeoutMs);
  });
  return Promise.race([client.synced, timeout]).finally(() => clearTimeout(timer));
}
