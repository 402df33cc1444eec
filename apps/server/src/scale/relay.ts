import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { applyAwarenessUpdate } from 'y-protocols/awareness';
import type { Logger } from '../logger.ts';
import { decodeAwareness, encodeAwareness } from '../yjs/awareness.ts';
import type { DocPersistence } from '../yjs/persistence.ts';
import { RemoteOwner, type Room, type RoomRelay } from '../yjs/room.ts';
import type { RoomManager } from '../yjs/rooms.ts';
import type { RedisLink } from './redis.ts';

/** What travels between instances on the relay channel. */
const KIND = { update: 0, awareness: 1, refresh: 2, resync: 3 } as const;

interface RelayMessage {
  kind: number;
  instanceId: string;
  meetingId: string;
  payload: Uint8Array;
}

/** Counters for tests and metrics. */
export interface RelayStats {
  published: number;
  publishFailed: number;
  appliedUpdates: number;
  appliedAwareness: number;
  /** Updates that arrived while their room was loading and were applied after. */
  buffered: number;
  resyncs: number;
  invalid: number;
}

export interface DocRelayOptions {
  link: RedisLink;
  persistence: DocPersistence;
  logger: Logger;
  /** Largest relayed message; anything bigger is not ours and is dropped. */
  maxMessageBytes: number;
  /** Another instance changed a meeting's roster or status: re-read roles and read-only state. */
  onRefresh(meetingId: string): void;
}

/** Most messages kept for one room while it loads. */
const MAX_BUFFERED = 10_000;

export function encodeRelayMessage(message: RelayMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, message.kind);
  encoding.writeVarString(encoder, message.instanceId);
  encoding.writeVarString(encoder, message.meetingId);
  encoding.writeVarUint8Array(encoder, message.payload);
  return encoding.toUint8Array(encoder);
}

function decodeRelayMessage(data: Uint8Array): RelayMessage {
  const decoder = decoding.createDecoder(data);
  return {
    kind: decoding.readVarUint(decoder),
    instanceId: decoding.readVarString(decoder),
    meetingId: decoding.readVarString(decoder),
    payload: decoding.readVarUint8Array(decoder),
  };
}

/**
 * Relays the Yjs traffic of loaded rooms between instances over one Redis channel
 * (`<prefix>yjs`, meeting id in the message). An instance publishes an update only once it has
 * stored and applied it; receivers apply it with a RemoteOwner origin, which broadcasts it to
 * their clients and never stores it again. Awareness follows the same ownership rule as on one
 * instance: an id belongs to whoever announced it first, local or remote.
 *
 * When Redis comes back after an outage, every loaded room re-reads its stored state and applies
 * the difference (Yjs merges idempotently), so edits made elsewhere meanwhile arrive.
 */
export class DocRelay implements RoomRelay {
  readonly stats: RelayStats = {
    published: 0,
    publishFailed: 0,
    appliedUpdates: 0,
    appliedAwareness: 0,
    buffered: 0,
    resyncs: 0,
    invalid: 0,
  };
  readonly channel: string;
  private rooms: RoomManager | null = null;
  private readonly pending = new Map<string, RelayMessage[]>();
  private readonly owners = new Map<string, RemoteOwner>();
  private readonly log: Logger;
  private closed = false;
  private readonly onMessage = (channel: Buffer, data: Buffer) => {
    if (channel.toString() === this.channel) this.receive(data);
  };
  private readonly onUp = () => void this.resync();

  constructor(private readonly options: DocRelayOptions) {
    this.channel = `${options.link.prefix}yjs`;
    this.log = options.logger.child({ component: 'yjs-relay' });
    const sub = options.link.relaySub;
    sub.on('messageBuffer', this.onMessage);
    // Queued while Redis is away; ioredis subscribes again by itself after every reconnect.
    sub
      .subscribe(this.channel)
      .catch((error: unknown) => this.log.debug({ err: error }, 'relay subscribe failed'));
    options.link.events.on('up', this.onUp);
  }

  /** Connects the relay to the rooms it feeds (they are built with the relay in their options). */
  attach(rooms: RoomManager): void {
    this.rooms = rooms;
  }

  /** RoomManager hook: applies what arrived for a room while it was being read. */
  loaded(room: Room): void {
    const waiting = this.pending.get(room.meetingId);
    if (!waiting) return;
    this.pending.delete(room.meetingId);
    for (const message of waiting) this.apply(room, message);
  }

  update(meetingId: string, update: Uint8Array): void {
    this.publish(KIND.update, meetingId, update);
  }

  awareness(meetingId: string, update: Uint8Array): void {
    this.publish(KIND.awareness, meetingId, update);
  }

  /** Tells other instances to re-read a meeting's roles and status. */
  refresh(meetingId: string): void {
    this.publish(KIND.refresh, meetingId, new Uint8Array(0));
  }

  /**
   * Re-reads every loaded room from the database and applies what it lacks. Runs when Redis
   * returns: messages published while it was away are gone, but the database has every update.
   */
  async resync(): Promise<void> {
    if (!this.rooms || this.closed) return;
    try {
      // Subscribed first, then read: anything published after the read arrives live.
      await this.options.link.relaySub.subscribe(this.channel);
    } catch (error) {
      this.log.warn(
        { err: error },
        'relay could not re-subscribe; re-sync postponed to the next reconnect',
      );
      return;
    }
    for (const room of [...this.rooms.loaded()]) {
      await this.resyncRoom(room);
      // Instances that never lost Redis missed what this one stored meanwhile: they re-read too.
      this.publish(KIND.resync, room.meetingId, new Uint8Array(0));
    }
    this.stats.resyncs++;
    this.log.info('re-synced loaded rooms from the database');
  }

  private async resyncRoom(room: Room): Promise<void> {
    if (room.state !== 'open') return;
    try {
      const stored = await this.options.persistence.read(room.meetingId);
      const missing = Y.encodeStateAsUpdate(stored, Y.encodeStateVector(room.doc));
      stored.destroy();
      if (room.state === 'open') Y.applyUpdate(room.doc, missing, this.ownerOf('resync'));
    } catch (error) {
      this.log.error({ err: error, meetingId: room.meetingId }, 're-sync of a room failed');
    }
  }

  close(): void {
    this.closed = true;
    this.options.link.relaySub.off('messageBuffer', this.onMessage);
    this.options.link.events.off('up', this.onUp);
    this.pending.clear();
  }

  private publish(kind: number, meetingId: string, payload: Uint8Array): void {
    if (this.closed || this.options.link.status() !== 'up') return;
    const data = encodeRelayMessage({
      kind,
      instanceId: this.options.link.instanceId,
      meetingId,
      payload,
    });
    this.options.link.pub
      .publish(this.channel, Buffer.from(data.buffer, data.byteOffset, data.byteLength))
      .then(
        () => this.stats.published++,
        (error: unknown) => {
          // The database has it; other instances catch up in the re-sync after the outage.
          this.stats.publishFailed++;
          this.log.debug({ err: error, meetingId }, 'relay publish failed');
        },
      );
  }

  private receive(data: Buffer): void {
    if (this.closed || data.byteLength > this.options.maxMessageBytes) return;
    let message: RelayMessage;
    try {
      message = decodeRelayMessage(data);
    } catch (error) {
      this.stats.invalid++;
      this.log.warn({ err: error }, 'undecodable relay message dropped');
      return;
    }
    if (message.instanceId === this.options.link.instanceId || !this.rooms) return;
    if (message.kind === KIND.refresh) {
      if (this.rooms.get(message.meetingId)) this.options.onRefresh(message.meetingId);
      return;
    }
    const room = this.rooms.get(message.meetingId);
    if (room && message.kind === KIND.resync) {
      void this.resyncRoom(room);
      return;
    }
    if (room) {
      this.apply(room, message);
      return;
    }
    // Published after it was stored: if the room is loading, the read may or may not include it.
    if (message.kind !== KIND.resync && this.rooms.isLoading(message.meetingId)) {
      const waiting = this.pending.get(message.meetingId) ?? [];
      if (waiting.length < MAX_BUFFERED) waiting.push(message);
      this.pending.set(message.meetingId, waiting);
      this.stats.buffered++;
    }
  }

  private ownerOf(instanceId: string): RemoteOwner {
    let owner = this.owners.get(instanceId);
    if (!owner) {
      owner = new RemoteOwner(instanceId);
      this.owners.set(instanceId, owner);
    }
    return owner;
  }

  private apply(room: Room, message: RelayMessage): void {
    if (room.state !== 'open') return;
    const owner = this.ownerOf(message.instanceId);
    try {
      if (message.kind === KIND.update) {
        Y.applyUpdate(room.doc, message.payload, owner);
        this.stats.appliedUpdates++;
      } else if (message.kind === KIND.awareness) {
        this.applyAwareness(room, message.payload, owner);
      }
    } catch (error) {
      this.stats.invalid++;
      this.log.warn(
        { err: error, meetingId: room.meetingId },
        'relayed message could not be applied',
      );
    }
  }

  /** The entries for ids that instance's connections own (or newly announce); the rest are dropped. */
  private applyAwareness(room: Room, update: Uint8Array, owner: RemoteOwner): void {
    const kept = decodeAwareness(update).filter((entry) => {
      if (entry.clientId === room.doc.clientID) return false;
      const current = room.owners.get(entry.clientId);
      if (current && !(current instanceof RemoteOwner && current.instanceId === owner.instanceId))
        return false;
      if (!current && entry.state !== 'null') room.owners.set(entry.clientId, owner);
      return true;
    });
    if (!kept.length) return;
    applyAwarenessUpdate(room.awareness, encodeAwareness(kept), owner);
    for (const entry of kept) if (entry.state === 'null') room.owners.delete(entry.clientId);
    this.stats.appliedAwareness++;
  }
}
