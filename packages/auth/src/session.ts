import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { eq, inArray } from 'drizzle-orm';
import { sessions, users, type Db } from '@yishi/db';

/** Sessions live 30 days and slide: a session used in its last 15 days is extended. */
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
const RENEW_WITHIN_MS = SESSION_LIFETIME_MS / 2;

export interface SessionUser {
  id: string;
  username: string | null;
  name: string;
  guestOfMeetingId: string | null;
}

export interface Session {
  id: string;
  userId: string;
  expiresAt: Date;
}

export interface SessionValidation {
  session: Session;
  user: SessionUser;
  /** True when expiry moved: the cookie must be set again with the new date. */
  renewed: boolean;
}

/** 160 random bits, base32: the only copy of it goes to the client. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** What the database stores for a token: its SHA-256, hex. */
export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(db: Db, token: string, userId: string, now = new Date()): Promise<Session> {
  const session: Session = {
    id: sessionIdFromToken(token),
    userId,
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
  };
  await db.insert(sessions).values(session);
  return session;
}

/** Looks a token up; deletes it if expired; slides the expiry when it is in its second half. */
export async function validateSessionToken(db: Db, token: string, now = new Date()): Promise<SessionValidation | null> {
  const id = sessionIdFromToken(token);
  return (await validateSessionIds(db, [id], now)).get(id) ?? null;
}

/**
 * Validates many sessions (by id, the SHA-256 of their tokens) in one query, for callers that
 * gather lookups. Expired ones are deleted and missing from the answer; those in their second half
 * slide forward (one UPDATE for all of them).
 */
export async function validateSessionIds(db: Db, ids: readonly string[], now = new Date()): Promise<Map<string, SessionValidation>> {
  const found = new Map<string, SessionValidation>();
  if (!ids.length) return found;
  const rows = await db
    .select({
      session: { id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt },
      user: { id: users.id, username: users.username, name: users.name, guestOfMeetingId: users.guestOfMeetingId },
    })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(inArray(sessions.id, [...ids]));
  const expired: string[] = [];
  const renew: string[] = [];
  const renewedUntil = new Date(now.getTime() + SESSION_LIFETIME_MS);
  for (const { session, user } of rows) {
    if (now.getTime() >= session.expiresAt.getTime()) {
      expired.push(session.id);
      continue;
    }
    const renewed = now.getTime() >= session.expiresAt.getTime() - RENEW_WITHIN_MS;
    if (renewed) {
      renew.push(session.id);
      session.expiresAt = renewedUntil;
    }
    found.set(session.id, { session, user, renewed });
  }
  if (expired.length) await db.delete(sessions).where(inArray(sessions.id, expired));
  if (renew.length) await db.update(sessions).set({ expiresAt: renewedUntil }).where(inArray(sessions.id, renew));
  return found;
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user; answers the ids of the sessions it ended. */
export async function invalidateUserSessions(db: Db, userId: string): Promise<string[]> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return rows.map((r) => r.id);
}
