import * as Y from 'yjs';
import type { DocSeed } from './rooms.ts';
import { AppError } from '../errors.ts';
import type { DocPersistence } from './persistence.ts';
import type { RoomPeer } from './room.ts';
import type { RoomManager } from './rooms.ts';

/**
 * Changes a meeting document on the server's behalf (a theme becoming an agenda item, a restore):
 * `change` runs on a copy of the current state, and the update it makes goes the way a client's
 * update goes: stored first, then applied to the room and seen by every client on every instance.
 */
export type DocEdit = <T>(meetingId: string, seed: DocSeed, change: (doc: Y.Doc) => T) => Promise<T>;

/** The update `change` makes to a copy of `base` (null when it changed nothing), and what it returned. */
export function editCopy<T>(base: Y.Doc, change: (doc: Y.Doc) => T): { update: Uint8Array | null; result: T } {
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
    // One transaction makes one update event holding exactly its inserts and deletes.
    let update: Uint8Array | null = null;
    copy.on('update', (u: Uint8Array) => (update = u));
    const result = copy.transact(() => change(copy));
    return { update, result };
  } finally {
    copy.destroy();
  }
}

/** The server as the sender of its own edits: it learns from close() that storing failed. */
class ServerPeer implements RoomPeer {
  failed: string | null = null;
  send(): void {}
  close(_code: number, reason: string): void {
    this.failed = reason;
  }
}

/** Edits through a loaded room (loading it for the edit if need be), so clients see them live. */
export function roomDocEdit(rooms: RoomManager): DocEdit {
  return async (meetingId, seed, change) => {
    const room = await rooms.acquire(meetingId, seed);
    try {
      const { update, result } = editCopy(room.doc, change);
      if (!update) return result;
      const peer = new ServerPeer();
      await room.ingest(update, peer);
      if (peer.failed) throw new AppError('storage_failed');
      return result;
    } finally {
      rooms.release(room);
    }
  };
}

/** Edits straight into storage: for a server without the Yjs layer (HTTP-only tests, scripts). */
export function storedDocEdit(persistence: DocPersistence): DocEdit {
  return async (meetingId, _seed, change) => {
    const base = await persistence.read(meetingId);
    try {
      const { update, result } = editCopy(base, change);
      if (update) await persistence.append(meetingId, update);
      return result;
    } finally {
      base.destroy();
    }
  };
}
