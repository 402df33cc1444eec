import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { InvalidMessage } from './protocol.ts';

/** One entry of an encoded awareness update (y-protocols/awareness format). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** The JSON text of the state; 'null' removes the client. */
  state: string;
}

/** Decodes an awareness update; throws InvalidMessage unless every state is JSON. */
export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = decoding.readVarString(decoder);
      JSON.parse(state);
      entries.push({ clientId, clock, state });
    }
    if (decoding.hasContent(decoder))
      throw new InvalidMessage('trailing bytes in awareness update');
    return entries;
  } catch (error) {
    if (error instanceof InvalidMessage) throw error;
    throw new InvalidMessage(
      error instanceof Error ? error.message : 'undecodable awareness update',
    );
  }
}

/** Encodes entries back into an awareness update. */
export function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, entry.state);
  }
  return encoding.toUint8Array(encoder);
}
