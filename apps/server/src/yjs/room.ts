import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type { MeetingStatus } from '@yishi/model';
import type { Logger } from '../logger.ts';
import type { DocPersistence, LoadedDoc } from './persistence.ts';
import { awarenessMessage, syncStep1Message, syncStep2Message, updateMessage } from './protocol.ts';
import { IngestGuard, type Ticket } from './validate.ts';

/** What a room needs from a connection. */
export interface RoomPeer {
  send(message: Uint8Array): void;
  /** Closes the connection with a websocket close code. */
  close(code: number, reason: string): void;
}

/** Where a room sends what other instances must see (the Redis relay); absent on one instance. */
export interface RoomRelay {
  /** An update this instance stored and applied. */
  update(meetingId: string, update: Uint8Array): void;
  /** An awareness change made by this instance's own connections. */
  awareness(meetingId: string, update: Uint8Array): void;
}

/**
 * Owner of awareness client ids introduced by another instance's connections, and the origin of
 * updates relayed from there (already stored by that instance: never stored again).
 */
export class RemoteOwner implements RoomPeer {
  constructor(readonly instanceId: string) {}
  send(): void {}
  close(): void {}
}

export interface RoomOptions {
  /** Compact when this many updates are logged since the last snapshot. */
  compactAfterUpdates: number;
  /** …or when they add up to this many bytes. */
  compactAfterBytes: number;
  /**
   * A log past the thresholds is compacted once no update arrived for this long (0: at once),
   * unless it grew to 4× the thresholds. Compacting rebuilds the document from the database on the
   * event loop and holds the database meanwhile (PGlite: one connection): during live typing that
   * was a 160 ms stall of every edit in the room, and it can wait for the next pause.
   */
  compactIdleMs?: number;
  /** Close code for a connection whose update could not be stored. */
  storageFailedCode: number;
  /** Close code for an update that stored fine but could not be applied. */
  invalidCode: number;
  /** Relays stored updates and local awareness to other instances. */
  relay?: RoomRelay;
  /**
   * Awareness changes are gathered this long and sent as one message (0: at once). Hundreds of
   * tablets renew their presence every 15 s in step; forwarding each to everyone is n² messages.
   */
  awarenessFlushMs?: number;
}

/**
 * One loaded meeting document: the Y.Doc, its awareness, and who is connected. Updates are
 * stored before they are applied, and only applied updates are broadcast (durable before visible).
 */
export class Room {
  readonly doc: Y.Doc;
  readonly peers = new Set<RoomPeer>();
  readonly awareness: Awareness;
  /** Checks every client update before it is stored (validated ingest). */
  readonly guard: IngestGuard;
  /** Awareness client id → the connection that introduced it. */
  readonly owners = new Map<number, RoomPeer>();
  /** JSON bytes of each local connection's awareness state, and their total (capped per room). */
  private readonly awarenessSizes = new Map<number, number>();
  awarenessBytes = 0;
  /** Acquisitions not yet released (connections, and upgrades still being accepted). */
  holds = 0;
  state: 'open' | 'unloading' | 'closed' = 'open';
  /** The meeting's status as last read: with the role it decides who may write (documentWriteAccess). */
  status: MeetingStatus = 'live';
  private logCount: number;
  private logBytes: number;
  private readonly inflight = new Set<Promise<void>>();
  private compacting: Promise<void> | null = null;
  private compactTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last update arrived (performance.now()); compaction waits for a pause. */
  private lastIngestAt = -Infinity;

  constructor(
    readonly meetingId: string,
    loaded: LoadedDoc,
    private readonly persistence: DocPersistence,
    private readonly options: RoomOptions,
    private readonly log: Logger,
  ) {
    this.doc = loaded.doc;
    this.logCount = loaded.logCount;
    this.logBytes = loaded.logBytes;
    this.guard = new IngestGuard(this.doc);
    this.awareness = new Awareness(this.doc);
    // The server is not a participant: it has no awareness state of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array) => {
      this.firstSync = null;
      this.broadcast(updateMessage(update));
    });
    this.awareness.on(
      'update',
      (
        { added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>,
        origin: unknown,
      ) => {
        this.presence = undefined;
        for (const id of removed) this.sizeAwareness(id, 0);
        // Remote ids that timed out here are free again.
        for (const id of removed)
          if (this.owners.get(id) instanceof RemoteOwner) this.owners.delete(id);
        // Only our own connections' changes travel: remote ones came from there, timeouts happen everywhere.
        const local = typeof origin === 'object' && origin !== null && !(origin instanceof RemoteOwner);
        for (const id of [...added, ...updated, ...removed]) {
          this.awarenessPending.add(id);
          if (local) this.awarenessPendingLocal.add(id);
        }
        const delay = this.options.awarenessFlushMs ?? 0;
        if (delay <= 0) this.flushAwareness();
        else this.awarenessTimer ??= setTimeout(() => this.flushAwareness(), delay);
      },
    );
  }

  /**
   * What every joining connection is sent, encoded once per document version: the server's state
   * vector (sync step 1) and the whole document (sync step 2 for a client that has nothing yet).
   * 500 tablets joining together otherwise encode the same document 500 times. Dropped on every
   * document update, so nobody is sent a stale state.
   */
  private firstSync: { step1: Uint8Array; step2?: Uint8Array } | null = null;
  /** Every awareness state, encoded once per awareness change (null: nobody present). */
  private presence: Uint8Array | null | undefined;

  /** Sync step 1 for a joining connection. */
  syncStep1(): Uint8Array {
    this.firstSync ??= { step1: syncStep1Message(this.doc) };
    return this.firstSync.step1;
  }

  /** Sync step 2 answering a client's state vector. */
  syncStep2(stateVector: Uint8Array): Uint8Array {
    // The empty state vector (one varuint 0): a client that has nothing, i.e. every fresh tablet.
    if (stateVector.length !== 1 || stateVector[0] !== 0) return syncStep2Message(this.doc, stateVector);
    this.firstSync ??= { step1: syncStep1Message(this.doc) };
    return (this.firstSync.step2 ??= syncStep2Message(this.doc, stateVector));
  }

  /** The awareness message carrying every state in the room, or null when there is none. */
  presenceMessage(): Uint8Array | null {
    if (this.presence === undefined) {
      const states = [...this.awareness.getStates().keys()];
      this.presence = states.length ? awarenessMessage(encodeAwarenessUpdate(this.awareness, states)) : null;
    }
    return this.presence;
  }

  private readonly awarenessPending = new Set<number>();
  private readonly awarenessPendingLocal = new Set<number>();
  private awarenessTimer: ReturnType<typeof setTimeout> | undefined;

  /** Sends the gathered awareness changes: one message to every peer, one to other instances. */
  private flushAwareness(): void {
    clearTimeout(this.awarenessTimer);
    this.awarenessTimer = undefined;
    if (this.awarenessPending.size) {
      this.broadcast(awarenessMessage(encodeAwarenessUpdate(this.awareness, [...this.awarenessPending])));
      this.awarenessPending.clear();
    }
    if (this.awarenessPendingLocal.size) {
      this.options.relay?.awareness(this.meetingId, encodeAwarenessUpdate(this.awareness, [...this.awarenessPendingLocal]));
      this.awarenessPendingLocal.clear();
    }
  }

  /** Records the size of one client's awareness state (0: gone). */
  sizeAwareness(clientId: number, bytes: number): void {
    this.awarenessBytes += bytes - (this.awarenessSizes.get(clientId) ?? 0);
    if (bytes) this.awarenessSizes.set(clientId, bytes);
    else this.awarenessSizes.delete(clientId);
  }

  broadcast(message: Uint8Array): void {
    for (const peer of this.peers) peer.send(message);
  }

  /**
   * Stores an update the guard accepted, then applies it (which broadcasts it). Appends resolve in
   * submission order, so per-room order is kept. If storing fails the sender is closed and nothing
   * is broadcast: the client still has the edit and sends it again when it reconnects. If applying
   * throws (the guard should make that impossible), the stored row is set aside, so the meeting
   * still loads, and only the sender is closed.
   */
  ingest(update: Uint8Array, from: RoomPeer, ticket?: Ticket): Promise<void> {
    this.lastIngestAt = performance.now();
    const done = this.persistence.append(this.meetingId, update).then(
      async () => {
        this.logCount++;
        this.logBytes += update.byteLength;
        let applied = false;
        try {
          Y.applyUpdate(this.doc, update, from);
          applied = true;
        } catch (error) {
          this.log.error({ err: error, meetingId: this.meetingId }, 'an accepted update could not be applied; set aside');
          from.close(this.options.invalidCode, 'update could not be applied');
          await this.persistence
            .setAside(this.meetingId, update, error instanceof Error ? error.message : 'could not be applied')
            .catch((e: unknown) => this.log.error({ err: e, meetingId: this.meetingId }, 'setting aside an update failed'));
        }
        if (ticket) this.guard.release(ticket);
        if (applied) this.options.relay?.update(this.meetingId, update);
        this.maybeCompact();
      },
      (error: unknown) => {
        if (ticket) this.guard.release(ticket);
        this.log.error(
          { err: error, meetingId: this.meetingId },
          'storing a document update failed',
        );
        from.close(this.options.storageFailedCode, 'storage failed');
      },
    );
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
    return done;
  }

  /** Removes a peer and the awareness states it introduced. */
  removePeer(peer: RoomPeer): void {
    if (!this.peers.delete(peer)) return;
    const owned = [...this.owners].filter(([, owner]) => owner === peer).map(([id]) => id);
    for (const id of owned) this.owners.delete(id);
    if (owned.length) removeAwarenessStates(this.awareness, owned, peer);
  }

  /** Resolves when every update received so far is stored and applied (or refused). */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
    await this.compacting;
  }

  /**
   * Compacts in the background once the log is long (also right after loading a long one), in the
   * next pause of the room's typing (see RoomOptions.compactIdleMs).
   */
  maybeCompact(): void {
    if (this.compacting || this.state !== 'open') return;
    const { compactAfterUpdates, compactAfterBytes, compactIdleMs = 0 } = this.options;
    if (this.logCount < compactAfterUpdates && this.logBytes < compactAfterBytes) return;
    const urgent = this.logCount >= compactAfterUpdates * 4 || this.logBytes >= compactAfterBytes * 4;
    const quietFor = performance.now() - this.lastIngestAt;
    if (!urgent && compactIdleMs > 0 && quietFor < compactIdleMs) {
      if (!this.compactTimer) {
        this.compactTimer = setTimeout(() => {
          this.compactTimer = undefined;
          this.maybeCompact();
        }, compactIdleMs - quietFor);
        this.compactTimer.unref();
      }
      return;
    }
    clearTimeout(this.compactTimer);
    this.compactTimer = undefined;
    this.compacting = this.compact().finally(() => (this.compacting = null));
  }

  /** Merges the stored log into the snapshot. Errors are logged: the log stays valid without it. */
  async compact(): Promise<void> {
    try {
      // One bounded batch per transaction, repeated until the log is merged: a long log left by a
      // crash or an old version must not stay long after the room unloads.
      for (let round = 0; round < 1000; round++) {
        const { merged, more } = await this.persistence.compact(this.meetingId);
        // Updates logged meanwhile stay in the log; their bytes are not tracked apart (a rough trigger is enough).
        this.logCount = Math.max(0, this.logCount - merged);
        if (merged) this.logBytes = 0;
        if (!more) break;
      }
    } catch (error) {
      this.log.error(
        { err: error, meetingId: this.meetingId },
        'compacting a meeting document failed',
      );
    }
  }

  /** Frees the document and awareness (their timers and memory). */
  destroy(): void {
    this.state = 'closed';
    clearTimeout(this.awarenessTimer);
    clearTimeout(this.compactTimer);
    this.awareness.destroy();
    this.doc.destroy();
  }
}
