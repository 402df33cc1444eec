import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  agendaOf,
  clearTimer,
  closeCodeError,
  createAgendaItem,
  deleteAgendaItem,
  deletedOf,
  documentWriteAccess,
  errorMessage,
  extendTimer,
  getTimer,
  isPermanentClose,
  listDeleted,
  mayDeleteAgendaItems,
  moveItem,
  pauseTimer,
  restoreAgendaItem,
  schemaVersionOf,
  setFocus,
  startTimer,
  updateAgendaItem,
  YJS_CLOSE,
  type AgendaItemPatch,
  type DeletedItem,
  type ItemTimer,
  type Locale,
  type MeetingRole,
  type MeetingStatus,
  type NewAgendaItem,
} from '@yishi/model';
import { getLocale } from '$lib/paraglide/runtime.js';
import { m } from '$lib/paraglide/messages.js';
import { TEXT_ORIGIN } from './bindText';
import { readView, watchAgenda, type AgendaView } from './model';
import type { PresenceUser } from './presence';
import { refusedEdits, type RefusedEdit } from './refused';

/** What the status indicator shows. */
export type LinkState = 'connected' | 'connecting' | 'offline' | 'stopped';

/** Why the connection stopped for good (a 4400–4499 close). */
export interface StopReason {
  code: number;
  message: string;
}

/** Origin of this person's own edits through the accessors: undo tracks it. */
export const LOCAL_ORIGIN = Symbol('local-edit');
/** Origin of running the meeting (focus, timer) and of edits undo must not take back. */
export const UNTRACKED_ORIGIN = Symbol('untracked-edit');

type WebSocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;

/** How to reach the server; defaults suit the browser page. */
export interface LiveDocOptions {
  /** The Yjs endpoint, e.g. ws://host/yjs (default: this page's host). */
  url?: string;
  /** A WebSocket class (tests pass one that sends a session cookie). */
  WebSocketPolyfill?: WebSocketClass;
  /** Keep the document in IndexedDB (default: when the browser has IndexedDB). */
  persist?: boolean;
  /** Called when the server says the session is gone (4401). */
  onUnauthenticated?: () => void;
  /** Share updates with this browser's other tabs directly (default: yes; tests in one process: no). */
  tabChannel?: boolean;
}

const pendingKey = (meetingId: string) => `yishi-pending-${meetingId}`;

function readStoredCount(key: string): number {
  try {
    const n = Number(localStorage.getItem(key));
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    // Storage can be disabled (private mode) or absent; the count then starts from zero.
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

/** The address of the Yjs endpoint on this page's host. */
export function yjsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
}

/**
 * The one live meeting document of a page: a Y.Doc kept in IndexedDB (y-indexeddb) and synced
 * over the stock y-websocket provider — one /yjs socket per tab. The page creates it once and
 * passes it to the agenda, the facilitator bar, the board and the presence panel. Reactive fields
 * drive the status indicator, the agenda and the focus view; write rights come from the role and
 * the meeting's status (documentWriteAccess). When the server refuses an edit (4409) the text it
 * did not take is kept in `refused` for the person to copy, and the document starts over from the
 * server's copy, so nothing vanishes without a word.
 */
export class LiveDoc {
  doc = $state.raw(new Y.Doc());
  provider = $state.raw<WebsocketProvider>(null as unknown as WebsocketProvider);
  /** Bumped when the document is replaced by the server's copy: editors bound to the old one remount. */
  generation = $state(0);
  state = $state<LinkState>('connecting');
  /** Local changes the server has not been sent in a completed sync yet. */
  pending = $state(0);
  /** True once there is something to show: synced with the server, or a copy from IndexedDB. */
  ready = $state(false);
  /** True while synced with the server. */
  synced = $state(false);
  stopped = $state<StopReason | null>(null);
  /** Why the last connection closed when the provider retries (e.g. too many open tabs). */
  notice = $state<string | null>(null);
  /** The agenda as lists and the focus view show it (no rich text: editors render that). */
  view = $state.raw<AgendaView>({ items: [], focus: null, plannedEnd: null, totalMinutes: 0 });
  timer = $state.raw<ItemTimer | null>(null);
  /** Deleted items that host or secretary can restore. */
  deleted = $state.raw<DeletedItem[]>([]);
  /** Text the server did not take (after a 4409), until the person dismisses it. */
  refused = $state.raw<RefusedEdit[]>([]);
  /** Whether this person may write now (role and meeting status), and delete/restore items. */
  writable = $state(true);
  mayDelete = $state(false);
  canUndo = $state(false);
  canRedo = $state(false);

  private store: IndexeddbPersistence | null = null;
  private undoManager: Y.UndoManager | null = null;
  private readonly trackedOrigins = new Set<unknown>([LOCAL_ORIGIN, TEXT_ORIGIN]);
  private readonly countKey: string;
  private readonly url: string;
  private readonly persist: boolean;
  private online = typeof navigator === 'undefined' ? true : navigator.onLine;
  private user: PresenceUser | null = null;
  private detach: () => void = () => {};
  private recovering = false;
  private destroyed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly meetingId: string,
    private readonly options: LiveDocOptions = {},
  ) {
    this.countKey = pendingKey(meetingId);
    this.url = options.url ?? yjsUrl();
    this.persist = options.persist ?? typeof indexedDB !== 'undefined';
    this.pending = readStoredCount(this.countKey);
    this.attach(this.doc, this.persist ? this.openStore(this.doc) : null);

    if (typeof window !== 'undefined') {
      this.watchComposition();
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
    }
  }

  private openStore(doc: Y.Doc): IndexeddbPersistence {
    const store = new IndexeddbPersistence(`yishi-${this.meetingId}`, doc);
    void store.whenSynced.then(() => {
      // A document that never reached this browser is empty until the server's copy arrives.
      if (store === this.store && schemaVersionOf(doc) > 0) this.ready = true;
    });
    return store;
  }

  /** Wires a document (and its IndexedDB store) to a new provider and to the reactive fields. */
  private attach(doc: Y.Doc, store: IndexeddbPersistence | null, provider?: WebsocketProvider): void {
    const own = provider ?? this.connect(doc, this.online);
    this.doc = doc;
    this.store = store;
    this.provider = own;
    const offs: (() => void)[] = [];

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
      if (origin === own || (store && origin === store)) return;
      if (own.synced) return;
      this.pending += 1;
      storeCount(this.countKey, this.pending);
    };
    doc.on('update', onUpdate);
    offs.push(() => doc.off('update', onUpdate));

    const read = () => {
      this.view = readView(doc);
      this.timer = getTimer(doc);
    };
    offs.push(watchAgenda(doc, read));
    const readDeleted = () => (this.deleted = listDeleted(doc));
    deletedOf(doc).observe(readDeleted);
    offs.push(() => deletedOf(doc).unobserve(readDeleted));
    read();
    readDeleted();

    const onSync = (synced: boolean) => {
      this.synced = synced;
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
      this.synced = false;
      if (event.code === YJS_CLOSE.unauthenticated) {
        this.options.onUnauthenticated?.();
        return;
      }
      if (event.code === YJS_CLOSE.readOnly || event.code === YJS_CLOSE.writingTooFast) {
        // The server did not take an edit (no write right, or over the write allowance): keep
        // what it refused for the person to copy, then start from its copy.
        this.notice = this.explain(event.code);
        void this.recover();
      } else if (isPermanentClose(event.code)) {
        this.stopped = { code: event.code, message: this.explain(event.code) };
      } else if (event.code !== YJS_CLOSE.goingAway && closeCodeError(event.code)) {
        this.notice = this.explain(event.code);
      }
      this.refresh();
    };
    own.on('sync', onSync);
    own.on('status', onStatus);
    own.on('connection-close', onClose);
    offs.push(() => {
      own.off('sync', onSync);
      own.off('status', onStatus);
      own.off('connection-close', onClose);
    });

    this.undoManager?.destroy();
    const undo = new Y.UndoManager([agendaOf(doc), deletedOf(doc)], {
      trackedOrigins: this.trackedOrigins,
      // Tiptap marks transactions that must not be undone (e.g. its initial render).
      captureTransaction: (tr) => tr.meta.get('addToHistory') !== false,
      // Taking back an added item deletes it: only those who may delete items get that.
      deleteFilter: (item) => this.mayDelete || item.parent !== agendaOf(doc),
    });
    const onStack = () => {
      this.canUndo = undo.canUndo();
      this.canRedo = undo.canRedo();
    };
    undo.on('stack-item-added', onStack);
    undo.on('stack-item-popped', onStack);
    undo.on('stack-cleared', onStack);
    this.undoManager = undo;
    onStack();

    if (this.user) own.awareness.setLocalStateField('user', this.user);
    this.detach = () => offs.splice(0).forEach((off) => off());
    this.refresh();
  }

  private connect(doc: Y.Doc, connect: boolean, disableBc = this.options.tabChannel === false): WebsocketProvider {
    const provider = new WebsocketProvider(this.url, this.meetingId, doc, {
      connect,
      disableBc,
      ...(this.options.WebSocketPolyfill ? { WebSocketPolyfill: this.options.WebSocketPolyfill as typeof WebSocket } : {}),
    });
    this.holdDuringComposition(provider);
    return provider;
  }

  /**
   * Remote edits wait while this person composes with an IME (拼音, 注音, 手写). Applied mid-
   * composition, a colleague's change to the same paragraph makes the editor re-render the text
   * under the candidate window, and the letters composed so far stay in the text beside the word
   * ("楼道灯bbu不亮", found by the IME hunt in e2e/editing.spec.ts). So Yjs updates from the
   * server or another tab (sync message 2) are held from compositionstart until just after
   * compositionend, then applied in arrival order; the handshake (steps 1 and 2) is never held,
   * and nothing is held longer than HOLD_MAX_MS. Own edits go out at once as always.
   */
  private holdDuringComposition(provider: WebsocketProvider): void {
    const SYNC = 0;
    const UPDATE = 2;
    const apply = provider.messageHandlers[SYNC]!;
    type Args = Parameters<typeof apply>;
    const held: Args[] = [];
    provider.messageHandlers[SYNC] = (...args: Args) => {
      const [, decoder] = args;
      // The decoder stands at the sync message's type, a one-byte varuint.
      if (this.composing && decoder.arr[decoder.pos] === UPDATE) {
        // readMessage makes a decoder and encoder per message and drops both once this returns
        // (the encoder stays empty, so nothing is sent): they can be replayed later as they are.
        held.push(args);
        return;
      }
      apply(...args);
    };
    const release = () => {
      // A provider replaced after a refusal (recover) has a destroyed document: nothing to apply.
      for (const args of held.splice(0)) if (!provider.doc.isDestroyed) apply(...args);
    };
    this.releases.add(release);
    this.cleanups.push(() => this.releases.delete(release));
  }

  private composing = false;
  private readonly releases = new Set<() => void>();
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;

  private watchComposition(): void {
    const HOLD_MAX_MS = 10_000;
    // ProseMirror reads the composed text shortly after compositionend; remote edits follow it.
    const AFTER_END_MS = 50;
    const releaseAll = () => {
      clearTimeout(this.releaseTimer);
      this.composing = false;
      for (const release of this.releases) release();
    };
    const onStart = () => {
      clearTimeout(this.releaseTimer);
      this.composing = true;
      this.releaseTimer = setTimeout(releaseAll, HOLD_MAX_MS);
    };
    const onEnd = () => {
      clearTimeout(this.releaseTimer);
      this.releaseTimer = setTimeout(releaseAll, AFTER_END_MS);
    };
    window.addEventListener('compositionstart', onStart, true);
    window.addEventListener('compositionend', onEnd, true);
    window.addEventListener('blur', releaseAll);
    this.cleanups.push(() => {
      window.removeEventListener('compositionstart', onStart, true);
      window.removeEventListener('compositionend', onEnd, true);
      window.removeEventListener('blur', releaseAll);
      clearTimeout(this.releaseTimer);
    });
  }

  /**
   * After a 4409: reads the server's copy into a fresh document, keeps what this browser had
   * that the server lacks (`refused`), and replaces the local document (and its IndexedDB copy)
   * with the server's, so the page is live again and stops resending what will be refused.
   */
  private async recover(): Promise<void> {
    if (this.recovering || this.destroyed) return;
    this.recovering = true;
    const fresh = new Y.Doc();
    // Without the tab channel: this tab's other provider (or another tab) would hand the fresh
    // document the very edits the server refused, and it would be refused in turn.
    const probe = this.connect(fresh, true, true);
    try {
      await new Promise<void>((resolve, reject) => {
        if (probe.synced) return resolve();
        const onSync = (synced: boolean) => {
          if (!synced) return;
          probe.off('sync', onSync);
          probe.off('connection-close', onClose);
          resolve();
        };
        // A permanent refusal of the fresh copy too (e.g. no longer a participant): stop as usual.
        const onClose = (event: CloseEvent | null) => {
          if (!event || !isPermanentClose(event.code)) return;
          this.stopped = { code: event.code, message: this.explain(event.code) };
          this.refresh();
          reject(new Error(`closed ${event.code}`));
        };
        probe.on('sync', onSync);
        probe.on('connection-close', onClose);
      });
      if (this.destroyed) throw new Error('destroyed');
      const lost = refusedEdits(this.doc, fresh);
      const old = { doc: this.doc, store: this.store, provider: this.provider };
      this.detach();
      old.provider.destroy();
      if (old.store) await old.store.clearData();
      old.doc.destroy();
      this.refused = [...this.refused, ...lost];
      this.pending = 0;
      storeCount(this.countKey, 0);
      this.attach(fresh, this.persist ? this.openStore(fresh) : null, probe);
      this.synced = probe.synced;
      this.ready = true;
      this.generation += 1;
    } catch {
      probe.destroy();
      fresh.destroy();
    } finally {
      this.recovering = false;
    }
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
    else if (!this.online || (!this.provider.wsconnected && !this.provider.wsconnecting)) this.state = 'offline';
    else this.state = 'connecting';
  }

  /** Sets what this person may do from their role and the meeting's status. */
  setAccess(role: MeetingRole, status: MeetingStatus): void {
    this.writable = documentWriteAccess(role, status);
    this.mayDelete = this.writable && mayDeleteAgendaItems(role);
  }

  /** Lets undo take back edits made under this origin too (Tiptap's, once an editor mounts). */
  trackOrigin(origin: unknown): void {
    this.trackedOrigins.add(origin);
  }

  /** Publishes who this browser is to the others in the meeting (Yjs awareness). */
  setUser(user: PresenceUser): void {
    this.user = user;
    this.provider.awareness.setLocalStateField('user', user);
  }

  /** Runs an edit as this person's own (undoable) change. */
  edit<T>(change: (doc: Y.Doc) => T): T {
    let result!: T;
    this.doc.transact(() => (result = change(this.doc)), LOCAL_ORIGIN);
    return result;
  }

  /** Adds an item; for someone who may not delete, adding cannot be undone (undo would delete). */
  addItem(input: NewAgendaItem = {}): string {
    return createAgendaItem(this.doc, input, this.mayDelete ? LOCAL_ORIGIN : UNTRACKED_ORIGIN);
  }

  updateItem(id: string, patch: AgendaItemPatch): boolean {
    return updateAgendaItem(this.doc, id, patch, LOCAL_ORIGIN);
  }

  moveItem(id: string, toIndex: number): boolean {
    this.undoManager?.stopCapturing();
    const moved = moveItem(this.doc, id, toIndex, LOCAL_ORIGIN);
    this.undoManager?.stopCapturing();
    return moved;
  }

  /** Deletes an item, keeping a copy that host or secretary can restore from any client. */
  deleteItem(id: string, byName: string): boolean {
    this.undoManager?.stopCapturing();
    const done = deleteAgendaItem(this.doc, id, { name: byName, at: Date.now() }, LOCAL_ORIGIN);
    this.undoManager?.stopCapturing();
    return done;
  }

  restoreItem(id: string): boolean {
    this.undoManager?.stopCapturing();
    const done = restoreAgendaItem(this.doc, id, LOCAL_ORIGIN);
    this.undoManager?.stopCapturing();
    return done;
  }

  /** Takes back this person's last edit (never anyone else's). */
  undo(): void {
    if (this.writable) this.undoManager?.undo();
  }

  redo(): void {
    if (this.writable) this.undoManager?.redo();
  }

  /** Shows an item to the room; an item in focus is under discussion. */
  focus(itemId: string | null): void {
    this.doc.transact(() => {
      setFocus(this.doc, itemId);
      if (itemId) updateAgendaItem(this.doc, itemId, { status: 'discussing' });
    }, UNTRACKED_ORIGIN);
  }

  startTimer(itemId: string): void {
    const minutes = this.view.items.find((i) => i.id === itemId)?.minutes ?? 0;
    startTimer(this.doc, itemId, (minutes || 5) * 60_000, Date.now(), UNTRACKED_ORIGIN);
  }

  pauseTimer(): void {
    pauseTimer(this.doc, Date.now(), UNTRACKED_ORIGIN);
  }

  extendTimer(minutes: number): void {
    extendTimer(this.doc, minutes * 60_000, UNTRACKED_ORIGIN);
  }

  markDone(itemId: string): void {
    this.doc.transact(() => {
      updateAgendaItem(this.doc, itemId, { status: 'done' });
      if (this.timer?.itemId === itemId) clearTimer(this.doc);
    }, UNTRACKED_ORIGIN);
  }

  /** Forgets the refused text once the person has dealt with it. */
  dismissRefused(): void {
    this.refused = [];
    this.notice = null;
  }

  /** Disconnects and frees everything (IndexedDB keeps the document). */
  destroy(): void {
    this.destroyed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.detach();
    this.undoManager?.destroy();
    this.provider.destroy();
    void this.store?.destroy();
    this.doc.destroy();
  }
}
