import { eq } from 'drizzle-orm';
import {
  createSession,
  generateSessionToken,
  hashPassword,
  invalidateSession,
  isAcceptablePassword,
  verifyNothing,
  verifyPassword,
  type SessionUser,
} from '@yishi/auth';
import { users } from '@yishi/db';
import type { LoginBody, SignupBody, UserDto } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';

/** Login failures allowed per username and per address before 429. */
export const LOGIN_RULES = {
  username: { maxFailures: 5, windowMs: 15 * 60_000 },
  ip: { maxFailures: 30, windowMs: 15 * 60_000 },
};

export function userDto(user: SessionUser): UserDto {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    guest: user.guestOfMeetingId !== null,
    guestMeetingId: user.guestOfMeetingId,
  };
}

export interface NewSession {
  user: UserDto;
  token: string;
  expiresAt: Date;
}

async function startSession(deps: Deps, user: SessionUser): Promise<NewSession> {
  const token = generateSessionToken();
  const session = await createSession(deps.db, token, user.id);
  return { user: userDto(user), token, expiresAt: session.expiresAt };
}

export async function signup(deps: Deps, body: SignupBody): Promise<NewSession> {
  if (!isAcceptablePassword(body.password)) throw new AppError('weak_password');
  const username = body.username.toLowerCase();
  const existing = await deps.db.select({ id: users.id }).from(users).where(eq(users.username, username));
  if (existing.length) throw new AppError('username_taken');
  const user: SessionUser = { id: newId(), username, name: body.name, guestOfMeetingId: null };
  const passwordHash = await hashPassword(body.password);
  try {
    await deps.db.insert(users).values({ id: user.id, username, name: user.name, passwordHash });
  } catch (error) {
    // Two signups racing for one name: the unique index decides.
    if (/users_username_key|unique/i.test(String((error as Error).cause ?? error))) throw new AppError('username_taken');
    throw error;
  }
  return startSession(deps, user);
}

export async function login(deps: Deps, body: LoginBody, ip: string): Promise<NewSession> {
  const username = body.username.toLowerCase();
  const keys = [
    [`login:user:${username}`, LOGIN_RULES.username],
    [`login:ip:${ip}`, LOGIN_RULES.ip],
  ] as const;
  for (const [key, rule] of keys) {
    const wait = await deps.throttle.retryAfter(key, rule);
    if (wait > 0) throw new AppError('too_many_attempts', { seconds: wait }, { 'Retry-After': String(wait) });
  }
  const rows = await deps.db.select().from(users).where(eq(users.username, username));
  const row = rows[0];
  const ok = row?.passwordHash ? await verifyPassword(row.passwordHash, body.password) : await verifyNothing(body.password);
  if (!row || !ok) {
    for (const [key, rule] of keys) await deps.throttle.fail(key, rule);
    throw new AppError('invalid_credentials');
  }
  await deps.throttle.reset(keys[0][0]);
  return startSession(deps, { id: row.id, username: row.username, name: row.name, guestOfMeetingId: row.guestOfMeetingId });
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await invalidateSession(deps.db, sessionId);
}

export { startSession };
