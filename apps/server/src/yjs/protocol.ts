import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** y-websocket message types (the first varuint of every message). */
export const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
/** y-protocols sync sub-types. */
export const SYNC = { step1: 0, step2: 1, update: 2 } as const;

/** A decoded Yjs update (its structs and delete set). */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/**
 * One incoming y-websocket message, fully decoded and checked. An update comes with its decoded
 * form: the redundancy check and the ingest guard read it instead of decoding it again (a 70 KB
 * hostile update costs ~11 ms per decode, and was decoded three times on the event loop).
 */
export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2' | 'update'; update: Uint8Array; decoded: DecodedUpdate }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

/** Thrown for bytes that are not a well-formed y-websocket message. */
export class InvalidMessage extends Error {}

/**
 * Decodes one message and checks the Yjs payload structurally (state vector / update), so a
 * malformed message is refused before it can reach the shared document or the database.
 */
export function parseMessage(data: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    let message: ClientMessage;
    if (type === MESSAGE.sync) {
      const sub = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (sub === SYNC.step1) {
        Y.decodeStateVector(payload);
        message = { type: 'sync-step1', stateVector: payload };
      } else if (sub === SYNC.step2 || sub === SYNC.update) {
        const decoded = Y.decodeUpdate(payload);
        message = { type: sub === SYNC.step2 ? 'sync-step2' : 'update', update: payload, decoded };
      } else throw new InvalidMessage(`unknown sync message ${sub}`);
    } else if (type === MESSAGE.awareness) {
      message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
    } else if (type === MESSAGE.queryAwareness) {
      message = { type: 'query-awareness' };
    } else throw new InvalidMessage(`unknown message type ${type}`);
    // Trailing bytes mean the sender is not speaking this protocol.
    if (decoding.hasContent(decoder)) throw new InvalidMessage('trailing bytes');
    return message;
  } catch (error) {
    if (error instanceof InvalidMessage) throw error;
    throw new InvalidMessage(error instanceof Error ? error.message : 'undecodable message');
  }
}

/**
 * True when applying the update would change nothing: every struct is already known and every
 * deleted range is already deleted. A reconnecting client's sync-step-2 always repeats its whole
 * delete set; skipping those keeps the log from growing on every reconnect.
 */
export function isRedundantUpdate(doc: Y.Doc, update: Uint8Array, decoded: DecodedUpdate = Y.decodeUpdate(update)): boolean {
  const { structs, ds } = decoded;
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return false;
  }
  for (const [client, ranges] of ds.clients) {
    const known = doc.store.clients.get(client);
    for (const range of ranges) {
      if (range.len === 0) continue;
      if (!known || range.clock + range.len > Y.getState(doc.store, client)) return false;
      let index = Y.findIndexSS(known, range.clock);
      for (
        let struct = known[index];
        struct && struct.id.clock < range.clock + range.len;
        struct = known[++index]
      ) {
        if (!struct.deleted) return false;
      }
    }
  }
  return true;
}

function syncMessage(sub: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.sync);
  encoding.writeVarUint(encoder, sub);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** Sync step 1: the server's state vector, so the client answers with what the server lacks. */
export const syncStep1Message = (doc: Y.Doc) => syncMessage(SYNC.step1, Y.encodeStateVector(doc));
/** Sync step 2: what a client lacks, given its state vector. */
export const syncStep2Message = (doc: Y.Doc, stateVector: Uint8Array) =>
  syncMessage(SYNC.step2, Y.encodeStateAsUpdate(doc, stateVector));
/** A document update to broadcast. */
export const updateMessage = (update: Uint8Array) => syncMessage(SYNC.update, update);

/** An awareness message carrying an encoded awareness update. */
export function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE.awareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}
