import { prepareMeetingDoc, type Locale, type MeetingKind } from '@yishi/model';
import type { Logger } from '../logger.ts';
import type { DocPersistence } from './persistence.ts';
import { Room, type RoomOptions } from './room.ts';

/**
 * The loaded rooms of this instance. A room is loaded once however many connect at the same
 * moment (concurrent loads share one promise), and unloaded when its last hold is released:
 * pending updates are stored, the log is compacted, then the document is destroyed.
 */
/** What a document that was never written starts from: the meeting's kind and its creator's language. */
export interface DocSeed {
  kind: MeetingKind;
  locale?: Locale;
}

export class RoomManager {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();

  constructor(
    private readonly persistence: DocPersistence,
    private readonly options: RoomOptions,
    private readonly log: Logger,
    /** Called once a room is loaded, before anyone can use it. */
    private readonly onLoaded: (room: Room) => void = () => {},
  ) {}

  /** The loaded room for a meeting, if any. */
  get(meetingId: string): Room | undefined {
    return this.rooms.get(meetingId);
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Every loaded room. */
  loaded(): IterableIterator<Room> {
    return this.rooms.values();
  }

  /** True while a room is being read from the database (updates arriving meanwhile must wait for it). */
  isLoading(meetingId: string): boolean {
    return this.loading.has(meetingId);
  }

  /** Loads (or joins) a room and takes a hold on it; pair with release(). */
  async acquire(meetingId: string, seed: DocSeed): Promise<Room> {
    for (;;) {
      const unloading = this.unloading.get(meetingId);
      if (unloading) {
        await unloading;
        continue;
      }
      const loaded = this.rooms.get(meetingId);
      if (loaded) {
        loaded.holds++;
        return loaded;
      }
      let loading = this.loading.get(meetingId);
      if (!loading) {
        loading = this.load(meetingId, seed);
        this.loading.set(meetingId, loading);
        void loading.then(
          () => this.loading.delete(meetingId),
          () => this.loading.delete(meetingId),
        );
      }
      const room = await loading;
      // Between the load and this continuation the room may already have been emptied.
      if (room.state !== 'open') continue;
      room.holds++;
      return room;
    }
  }

  /** Releases a hold; the last one unloads the room. */
  release(room: Room): void {
    room.holds--;
    if (room.holds > 0 || room.state !== 'open') return;
    room.state = 'unloading';
    const done = this.unload(room).finally(() => this.unloading.delete(room.meetingId));
    this.unloading.set(room.meetingId, done);
  }

  /** Resolves when no room is being loaded or unloaded. */
  async idle(): Promise<void> {
    while (this.loading.size || this.unloading.size) {
      await Promise.allSettled([...this.loading.values(), ...this.unloading.values()]);
    }
  }

  private async load(meetingId: string, seed: DocSeed): Promise<Room> {
    const loaded = await this.persistence.load(meetingId, (doc) => prepareMeetingDoc(doc, seed.kind, seed.locale));
    const room = new Room(meetingId, loaded, this.persistence, this.options, this.log);
    this.rooms.set(meetingId, room);
    this.onLoaded(room);
    // A long log (a crash before unloading, an older version) is merged in the background.
    room.maybeCompact();
    return room;
  }

  private async unload(room: Room): Promise<void> {
    try {
      await room.settled();
      await room.compact();
    } finally {
      this.rooms.delete(room.meetingId);
      room.destroy();
    }
  }
}
