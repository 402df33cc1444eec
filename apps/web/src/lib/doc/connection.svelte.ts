import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  closeCodeError,
  errorMessage,
  isPermanentClose,
  schemaVersionOf,
  YJS_CLOSE,
  type Locale,
} from '@yishi/model';
import { getLocale } from '$lib/paraglide/runtime.js';
import { m } from '$lib/paraglide/messages.js';
import type { PresenceUser } from './presence';

/** What the status indicator shows. */
export type LinkState = 'connected' | 'connecting' | 'offline' | 'stopped';

/** Why the connection stopped for good (a 4400–4499 close). */
export interface StopReason {
  code: number;
  message: string;
}

const pendingKey = (meetingId: string) => `yishi-pending-${meetingId}`;

function readStoredCount(key: string): number {
  try {
    const n = Number(localStorage.getItem(key));
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    // Storage can be disabled (private mode); the count then starts from zero.
    return 0;
  }
}

function storeCount(key: string, n: number): void {
  try {
    if (n > 0) localStorage.setItem(key, String(n));
    else localStorage.removeItem(key);
  } catch {
    // Only the indicator suffers; the edits themselves are in IndexedDB.
  }
}

/**
 * The live meeting document in the browser: a Y.Doc kept in IndexedDB (y-indexeddb) and synced
 * with the server over the stock y-websocket provider. Reactive fields drive the status indicator.
 */
export class LiveDoc {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly store: IndexeddbPersistence;
  state = $state<LinkState>('connecting');
  /** Local changes the server has not been sent in a completed sync yet. */
  pending = $state(0);
  /** True once there is something to show: synced with the server, or a copy from IndexedDB. */
  ready = $state(false);
  stopped = $state<StopReason | null>(null);
  /** Why the last connection closed when the provider retries (e.g. too many open tabs). */
  notice = $state<string | null>(null);
  private readonly countKey: string;
  private online = typeof navigator === 'undefined' ? true : navigator.onLine;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly meetingId: string,
    private readonly onUnauthenticated: () => void,
  ) {
    this.countKey = pendingKey(meetingId);
    this.pending = readStoredCount(this.countKey);
    this.store = new IndexeddbPersistence(`yishi-${meetingId}`, this.doc);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/yjs`, meetingId, this.doc, {
      connect: this.online,
    });

    void this.store.whenSynced.then(() => {
      // A document that never reached this browser is empty until the server's copy arrives.
      if (schemaVersionOf(this.doc) > 0) this.ready = true;
    });

    /*
     * Counting waiting changes: y-websocket has no per-update acknowledgement, so an update counts
     * as delivered when it was sent over a synced connection. Every local update made while not
     * synced (offline, connecting, mid-handshake) is counted; the count is reset when a sync
     * completes, because the handshake makes the client answer the server's state vector (sync
     * step 1, which the server sends first) with everything the server lacks before the server's
     * own step 2 marks us synced. The count is kept in localStorage so that a tab reopened while
     * offline still shows what IndexedDB holds for the server.
     */
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin === this.provider || origin === this.store) return;
      if (this.provider.synced) return;
      this.pending += 1;
      storeCount(this.countKey, this.pending);
    };
    this.doc.on('update', onUpdate);
    this.cleanups.push(() => this.doc.off('update', onUpdate));

    const onSync = (synced: boolean) => {
      if (synced) {
        this.notice = null;
        this.pending = 0;
        storeCount(this.countKey, 0);
        this.ready = true;
      }
      this.refresh();
    };
    const onStatus = () => this.refresh();
    const onClose = (event: CloseEvent | null) => {
      if (!event) return;
      if (event.code === YJS_CLOSE.unauthenticated) {
        this.onUnauthenticated();
        return;
      }
      if (isPermanentClose(event.code)) {
        this.stopped = { code: event.code, message: this.explain(event.code) };
      } else if (event.code !== YJS_CLOSE.goingAway && closeCodeError(event.code)) {
        this.notice = this.explain(event.code);
      }
      this.refresh();
    };
    this.provider.on('sync', onSync);
    this.provider.on('status', onStatus);
    this.provider.on('connection-close', onClose);
    this.cleanups.push(() => {
      this.provider.off('sync', onSync);
      this.provider.off('status', onStatus);
      this.provider.off('connection-close', onClose);
    });

    // Browsers keep a dead socket open for a long time when the Wi-Fi drops; the offline event
    // is the earliest sign, and 'online' the moment to try again instead of waiting for backoff.
    const goOffline = () => {
      this.online = false;
      this.provider.disconnect();
      this.refresh();
    };
    const goOnline = () => {
      this.online = true;
      if (!this.stopped) this.provider.connect();
      this.refresh();
    };
    window.addEventListener('offline', goOffline);
    window.addEventListener('online', goOnline);
    this.cleanups.push(() => {
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
    });
    this.refresh();
  }

  /** The localized explanation of a close code. */
  private explain(code: number): string {
    if (code === YJS_CLOSE.forbidden) return m.doc_not_participant();
    const error = closeCodeError(code) ?? 'internal';
    return errorMessage(error, getLocale() as Locale);
  }

  private refresh(): void {
    if (this.stopped) this.state = 'stopped';
    else if (this.provider.synced) this.state = 'connected';
    else if (!this.online || (!this.provider.wsconnected && !this.provider.wsconnecting))
      this.state = 'offline';
    else this.state = 'connecting';
  }

  /** Publishes who this browser is to the others in the meeting (Yjs awareness). */
  setUser(user: PresenceUser): void {
    this.provider.awareness.setLocalStateField('user', user);
  }

  /** Disconnects and frees everything (IndexedDB keeps the document). */
  destroy(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.provider.destroy();
    void this.store.destroy();
    this.doc.destroy();
  }
}
