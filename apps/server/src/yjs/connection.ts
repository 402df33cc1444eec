import type { WebSocket, RawData } from 'ws';
import { encodeAwarenessUpdate, applyAwarenessUpdate } from 'y-protocols/awareness';
import { documentWriteAccess, mayDeleteAgendaItems, mayDecideCharter, YJS_CLOSE, type MeetingRole } from '@yishi/model';
import type { Logger } from '../logger.ts';
import { TokenBucket } from '../limits.ts';
import { decodeAwareness, encodeAwareness } from './awareness.ts';
import {
  awarenessMessage,
  type DecodedUpdate,
  InvalidMessage,
  isRedundantUpdate,
  parseMessage,
} from './protocol.ts';
import type { Room, RoomPeer } from './room.ts';

/** Per-connection limits. */
export interface ConnectionLimits {
  /** Largest JSON text of one awareness state. */
  awarenessStateBytes: number;
  /** Awareness messages: burst size and sustained rate. */
  awarenessBurst: number;
  awarenessPerSecond: number;
  /** Awareness queries (each answered with every state in the room): burst and sustained rate. */
  awarenessQueryBurst: number;
  awarenessQueryPerSecond: number;
  /** Total JSON bytes of all awareness states in one room; new states beyond it are dropped. */
  roomAwarenessBytes: number;
  /** Awareness client ids one connection may introduce (a provider uses one). */
  clientIdsPerConnection: number;
  /** Bytes of this connection's updates waiting for the database before we stop reading it. */
  maxPendingBytes: number;
  /** Bytes queued for sending before the client counts as too slow and is dropped. */
  maxBufferedBytes: number;
  /**
   * Bytes of document updates one person may write: a burst, refilled at a sustained rate. Kept
   * per person across reconnects, so a stock client cannot bloat a meeting's document for good.
   */
  writeBurstBytes: number;
  writeBytesPerSecond: number;
}

/** Counters shared by all connections of a layer (for tests and metrics). */
export interface ConnectionStats {
  droppedUpdates: number;
  droppedAwareness: number;
  /** Updates the ingest guard refused (too deep, past known clocks, a forbidden delete…). */
  refusedUpdates: number;
  /** Awareness queries answered with nothing because the connection asked too often. */
  throttledQueries: number;
  invalidMessages: number;
  skippedRedundant: number;
  /** Updates refused because their sender was over the write allowance. */
  overBudgetUpdates: number;
}

/**
 * One websocket in one room: decodes each message, enforces the role (observers are read-only)
 * and the awareness rules, and hands updates to the room (which stores them first).
 */
export class Connection implements RoomPeer {
  closed = false;
  /** Set by pongs; the heartbeat terminates connections that stop answering. */
  alive = true;
  private pendingBytes = 0;
  private paused = false;
  private readonly awarenessBucket: TokenBucket;
  private readonly queryBucket: TokenBucket;
  /** Client ids this connection wrote with (its own items it may take back). */
  private readonly ownClients = new Set<number>();
  /** Awareness client ids this connection introduced (room.owners maps them to it until it leaves). */
  private readonly awarenessIds = new Set<number>();

  constructor(
    readonly ws: WebSocket,
    readonly room: Room,
    readonly userId: string,
    public role: MeetingRole,
    private readonly limits: ConnectionLimits,
    private readonly stats: ConnectionStats,
    private readonly log: Logger,
    private readonly onClose: (connection: Connection) => void,
    /** This person's write allowance (shared by their connections and kept across reconnects). */
    private readonly writeBudget: TokenBucket,
    /** The names this person goes by here (account and roster): the only ones they may propose under. */
    private readonly names: readonly string[] = [],
  ) {
    this.awarenessBucket = new TokenBucket(limits.awarenessBurst, limits.awarenessPerSecond);
    this.queryBucket = new TokenBucket(limits.awarenessQueryBurst, limits.awarenessQueryPerSecond);
  }

  /** Joins the room and starts the sync handshake. */
  start(): void {
    this.room.peers.add(this);
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('pong', () => (this.alive = true));
    this.ws.on('close', () => this.detach());
    this.ws.on('error', (error) => {
      // ws closes with 1009 itself when maxPayload is exceeded; anything else is logged.
      this.log.debug({ err: error, meetingId: this.room.meetingId }, 'yjs socket error');
      this.detach();
    });
    this.send(this.room.syncStep1());
    const presence = this.room.presenceMessage();
    if (presence) this.send(presence);
  }

  send(message: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(YJS_CLOSE.overloaded, 'too slow');
      return;
    }
    this.ws.send(message, (error) => error && this.detach());
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    this.detach();
  }

  private detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.room.removePeer(this);
    this.onClose(this);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    try {
      if (!isBinary || !Buffer.isBuffer(data))
        throw new InvalidMessage('expected one binary message');
      this.handle(data);
    } catch (error) {
      this.stats.invalidMessages++;
      if (!(error instanceof InvalidMessage)) {
        this.log.error(
          { err: error, meetingId: this.room.meetingId },
          'yjs message handling failed',
        );
      }
      this.close(YJS_CLOSE.invalidMessage, 'invalid message');
    }
  }

  private handle(data: Buffer): void {
    const message = parseMessage(data);
    switch (message.type) {
      case 'sync-step1':
        this.send(this.room.syncStep2(message.stateVector));
        return;
      case 'sync-step2':
      case 'update':
        this.receiveUpdate(message.update, message.decoded);
        return;
      case 'awareness':
        this.receiveAwareness(message.update);
        return;
      case 'query-awareness': {
        // Each answer is the whole room's presence: a flood of one-byte queries is not answered.
        if (!this.queryBucket.take()) {
          this.stats.throttledQueries++;
          return;
        }
        this.send(this.room.presenceMessage() ?? awarenessMessage(encodeAwarenessUpdate(this.room.awareness, [])));
        return;
      }
    }
  }

  /** Whether this connection may write now (its role and the meeting's status). */
  get writable(): boolean {
    return documentWriteAccess(this.role, this.room.status);
  }

  private receiveUpdate(update: Uint8Array, decoded: DecodedUpdate): void {
    if (isRedundantUpdate(this.room.doc, update, decoded)) {
      this.stats.skippedRedundant++;
      return;
    }
    if (!this.writable) {
      // Never dropped silently: the client is told its edit was not saved (it keeps the text).
      this.stats.droppedUpdates++;
      this.log.info({ meetingId: this.room.meetingId, userId: this.userId, role: this.role, status: this.room.status }, 'refused an edit from a connection without write right');
      this.close(YJS_CLOSE.readOnly, 'read only');
      return;
    }
    if (!this.writeBudget.takeMany(update.byteLength)) {
      // Never dropped silently: the client keeps the text and is told why (4413).
      this.stats.overBudgetUpdates++;
      this.log.warn({ meetingId: this.room.meetingId, userId: this.userId, bytes: update.byteLength }, 'refused a document update over the write allowance');
      this.close(YJS_CLOSE.writingTooFast, 'writing too fast');
      return;
    }
    const verdict = this.room.guard.check(
      update,
      {
        mayDeleteItems: mayDeleteAgendaItems(this.role),
        mayDecideCharter: mayDecideCharter(this.role),
        ownClients: this.ownClients,
        who: { userId: this.userId, names: this.names },
      },
      decoded,
    );
    if (!verdict.ok) {
      // Never stored, never broadcast; the sender learns why (4400 with the reason).
      this.stats.refusedUpdates++;
      this.log.warn({ meetingId: this.room.meetingId, userId: this.userId, reason: verdict.reason }, 'refused a document update');
      this.close(YJS_CLOSE.invalidMessage, verdict.reason.slice(0, 120));
      return;
    }
    for (const client of verdict.ticket.clients.keys()) this.ownClients.add(client);
    // Copy out of ws's receive buffer: the update outlives this message in the commit queue.
    const own = Uint8Array.from(update);
    this.pendingBytes += own.byteLength;
    if (this.pendingBytes > this.limits.maxPendingBytes && !this.paused) {
      // Backpressure: stop reading this socket until the database caught up.
      this.paused = true;
      this.ws.pause();
    }
    void this.room.ingest(own, this, verdict.ticket).finally(() => {
      this.pendingBytes -= own.byteLength;
      if (this.paused && this.pendingBytes <= this.limits.maxPendingBytes / 2) {
        this.paused = false;
        if (!this.closed) this.ws.resume();
      }
    });
  }

  /**
   * Applies the entries of an awareness update that describe this connection's own clients:
   * a client id belongs to the first connection that announced it; entries for ids owned by
   * another connection, beyond the per-connection limit, or too large are dropped.
   */
  private receiveAwareness(update: Uint8Array): void {
    const entries = decodeAwareness(update);
    const removalsOnly = entries.every((e) => e.state === 'null');
    // Leaving is always allowed, so a rate-limited client never lingers as a ghost.
    if (!removalsOnly && !this.awarenessBucket.take()) {
      this.stats.droppedAwareness += entries.length;
      return;
    }
    const kept = entries.filter((entry) => {
      const owner = this.room.owners.get(entry.clientId);
      if (owner && owner !== this) return false;
      if (entry.clientId === this.room.doc.clientID) return false;
      const bytes = Buffer.byteLength(entry.state);
      if (bytes > this.limits.awarenessStateBytes) return false;
      if (entry.state !== 'null' && this.room.awarenessBytes + bytes > this.limits.roomAwarenessBytes) return false;
      if (!owner) {
        if (this.awarenessIds.size >= this.limits.clientIdsPerConnection) return false;
        this.room.owners.set(entry.clientId, this);
        this.awarenessIds.add(entry.clientId);
      }
      return true;
    });
    for (const entry of kept) this.room.sizeAwareness(entry.clientId, entry.state === 'null' ? 0 : Buffer.byteLength(entry.state));
    this.stats.droppedAwareness += entries.length - kept.length;
    if (kept.length) applyAwarenessUpdate(this.room.awareness, encodeAwareness(kept), this);
  }
}
