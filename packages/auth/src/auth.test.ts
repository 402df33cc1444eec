import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '@yishi/db';
import { createTestDatabase, testDriver, type TestDatabase } from '@yishi/db/testing';
import {
  SESSION_LIFETIME_MS,
  createSession,
  generateSessionToken,
  hashPassword,
  invalidateSession,
  isAcceptablePassword,
  sessionIdFromToken,
  validateSessionToken,
  verifyPassword,
} from './index.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.insert(users).values({ id: 'u1', name: '王五', username: 'wang' });
});
afterAll(() => database.dispose());

describe(`sessions on ${testDriver}`, () => {
  it('tokens carry at least 128 bits and differ every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t.length * 5).toBeGreaterThanOrEqual(128);
  });

  it('stores only the SHA-256 of the token', async () => {
    const token = generateSessionToken();
    await createSession(database.db, token, 'u1');
    const rows = await database.db.select().from(sessions);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(token);
    expect(rows.map((r) => r.id)).toContain(sessionIdFromToken(token));
  });

  it('validates, slides near expiry, and refuses after expiry or logout', async () => {
    const token = generateSessionToken();
    const start = new Date('2026-01-01T00:00:00Z');
    await createSession(database.db, token, 'u1', start);
    const early = await validateSessionToken(database.db, token, new Date(start.getTime() + 1000));
    expect(early?.user.name).toBe('王五');
    expect(early?.renewed).toBe(false);
    const late = new Date(start.getTime() + SESSION_LIFETIME_MS - 1000);
    const renewed = await validateSessionToken(database.db, token, late);
    expect(renewed?.renewed).toBe(true);
    expect(renewed!.session.expiresAt.getTime()).toBe(late.getTime() + SESSION_LIFETIME_MS);
    const past = new Date(late.getTime() + SESSION_LIFETIME_MS + 1);
    expect(await validateSessionToken(database.db, token, past)).toBeNull();
    const other = generateSessionToken();
    const session = await createSession(database.db, other, 'u1');
    await invalidateSession(database.db, session.id);
    expect(await validateSessionToken(database.db, other)).toBeNull();
    expect(await validateSessionToken(database.db, 'NOT A TOKEN')).toBeNull();
  });
});

describe('passwords', () => {
  it('argon2id hashes verify and reject', async () => {
    const h = await hashPassword('長長的密碼abc');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, '長長的密碼abc')).toBe(true);
    expect(await verifyPassword(h, 'wrong-password')).toBe(false);
    expect(await verifyPassword('garbage', 'x')).toBe(false);
  });

  it('counts characters, not bytes, for 8–256', () => {
    expect(isAcceptablePassword('1234567')).toBe(false);
    expect(isAcceptablePassword('12345678')).toBe(true);
    expect(isAcceptablePassword('密碼密碼密碼密碼')).toBe(true);
    expect(isAcceptablePassword('x'.repeat(256))).toBe(true);
    expect(isAcceptablePassword('x'.repeat(257))).toBe(false);
  });
});
