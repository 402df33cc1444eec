import { eq } from 'drizzle-orm';
import {
  createSession,
  generateSessionToken,
  hashPassword,
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
import { addressKey } from '../limits.ts';
import { endSessions } from '../sessions.ts';

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

export async function signup(deps: Deps, body: SignupBody, ip: string): Promise<NewSession> {
  if (!isAcceptablePassword(body.password)) throw new AppError('weak_password');
  // Each signup costs an argon2 hash: counted per address before any work is done.
  const ticket = await deps.limits.take('signup', addressKey(ip));
  const username = body.username.toLowerCase();
  const existing = await deps.db.select({ id: users.id }).from(users).where(eq(users.username, username));
  if (existing.length) {
    await ticket.refund();
    throw new AppError('username_taken');
  }
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

/**
 * Checks a password. The attempt takes its points first (this device, this account, this address),
 * so concurrent guesses can never outrun the limits; a right password gives them back and forgets
 * the device's wrong tries. A wrong one only slows that device down for a minute (see limits.ts).
 */
export async function login(deps: Deps, body: LoginBody, ip: string): Promise<NewSession> {
  const username = body.username.toLowerCase();
  const address = addressKey(ip);
  const device = `${username} ${address}`;
  const row = await deps.limits.gate(`login ${address}`, async () => {
    const ticket = await deps.limits.takeAll([
      ['login.device', device],
      ['login.account', username],
      ['login.address', address],
    ]);
    const [found] = await deps.db.select().from(users).where(eq(users.username, username));
    const ok = found?.passwordHash ? await verifyPassword(found.passwordHash, body.password) : await verifyNothing(body.password);
    if (!found || !ok) throw new AppError('invalid_credentials');
    await ticket.refund();
    return found;
  });
  await deps.limits.clear('login.device', device);
  return startSession(deps, { id: row.id, username: row.username, name: row.name, guestOfMeetingId: row.guestOfMeetingId });
}

/** Ends a session, and with it that session's live connections on every instance. */
export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await endSessions(deps, [sessionId]);
}

export { startSession };
