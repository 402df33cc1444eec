import type { ErrorCode } from '../errors.ts';

/**
 * Close codes of the Yjs websocket (/yjs/<meetingId>), typed once for server and web.
 * The stock y-websocket provider stops reconnecting on 4400–4499 (reconnecting cannot help) and
 * retries everything else with backoff; 4500–4599 mean "try again later".
 */
export const YJS_CLOSE = {
  /** The server is shutting down or restarting; the provider reconnects. */
  goingAway: 1001,
  /** This connection's write right changed (meeting ended, role changed): reconnect with the new one. */
  rightsChanged: 4001,
  /** A message over the size cap (set by `ws` through maxPayload). */
  messageTooBig: 1009,
  /** A malformed or hostile Yjs message. */
  invalidMessage: 4400,
  /** No valid session cookie on the upgrade request. */
  unauthenticated: 4401,
  /** Not a participant of this meeting (or no such meeting). */
  forbidden: 4403,
  /** An update from a connection that may not write now; it was not stored. */
  readOnly: 4409,
  /** This person wrote more than their allowance (bytes per minute); the update was not stored. */
  writingTooFast: 4413,
  /** Storing an update failed; the client keeps its edits and resends them on reconnect. */
  storageFailed: 4500,
  /** The client does not read what it is sent fast enough. */
  overloaded: 4503,
  /** Too many open connections for one session; retried, so closing another tab frees a slot. */
  tooManyConnections: 4529,
} as const;
export type YjsCloseCode = (typeof YJS_CLOSE)[keyof typeof YJS_CLOSE];

const CLOSE_ERRORS: Record<YjsCloseCode, ErrorCode> = {
  1001: 'internal',
  1009: 'payload_too_large',
  4001: 'rights_changed',
  4400: 'invalid_message',
  4401: 'unauthenticated',
  4403: 'forbidden',
  4409: 'read_only',
  4413: 'writing_too_fast',
  4500: 'storage_failed',
  4503: 'server_busy',
  4529: 'too_many_connections',
};

/** The error code (for errorMessage) that explains a close code, or null for a normal close. */
export function closeCodeError(code: number): ErrorCode | null {
  return (CLOSE_ERRORS as Record<number, ErrorCode>)[code] ?? null;
}

/** True when the stock provider will not reconnect after this close code. */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500;
}
