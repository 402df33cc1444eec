import type { IncomingMessage } from 'node:http';
import { validateSessionToken, type SessionUser } from '@yishi/auth';
import type { Deps } from '../deps.ts';
import { sessionTokenFromHeader } from './cookies.ts';
import { isAllowedOrigin } from './origin.ts';

/** Who is behind a raw Node request (websocket upgrade, socket.io handshake): the session cookie decides. */
export async function userFromRequest(deps: Deps, req: Pick<IncomingMessage, 'headers'>): Promise<SessionUser | null> {
  const token = sessionTokenFromHeader(req.headers.cookie, deps.config);
  if (!token) return null;
  return (await validateSessionToken(deps.db, token))?.user ?? null;
}

/** The Origin rule applied to a raw Node request. */
export function originAllowed(deps: Deps, req: Pick<IncomingMessage, 'headers'>): boolean {
  return isAllowedOrigin(req.headers.origin, req.headers.host, deps.config);
}
