import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { like } from 'drizzle-orm';
import { rateLimits } from '@yishi/db';
import { createTestDatabase, testDriver, type TestDatabase } from '@yishi/db/testing';
import { AppError } from './errors.ts';
import { LIMITS, Limits, type LimitRule } from './limits.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

const rules = (rule: LimitRule) => Object.fromEntries(Object.keys(LIMITS).map((name) => [name, rule])) as Record<keyof typeof LIMITS, LimitRule>;
const stored = async (prefix: string) => (await database.db.select({ points: rateLimits.points }).from(rateLimits).where(like(rateLimits.key, `${prefix}%`))).map((r) => r.points);

describe(`shared limits on ${testDriver}`, () => {
  it('a used-up key is refused from memory: hammering it writes nothing more, and clearing lifts it', async () => {
    const limits = new Limits(database.db, rules({ points: 3, duration: 60 }));
    for (let i = 0; i < 3; i++) await limits.take('signup', 'hammer');
    // The first refusal is counted in the database (4 of 3) and remembered here.
    await expect(limits.take('signup', 'hammer')).rejects.toMatchObject({ code: 'too_many_attempts' });
    const refusals = await Promise.allSettled(Array.from({ length: 50 }, () => limits.take('signup', 'hammer')));
    expect(refusals.every((r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'too_many_attempts')).toBe(true);
    // The 50 after it never reached the database.
    expect(await stored('signup')).toEqual([4]);
    await limits.clear('signup', 'hammer');
    await expect(limits.take('signup', 'hammer')).resolves.toBeDefined();
  });

  it('a reserve still serves once the window is used up, and is refused from memory in turn', async () => {
    const limits = new Limits(database.db, rules({ points: 2, duration: 60, reserve: { points: 2, duration: 3600 } }));
    for (let i = 0; i < 4; i++) await limits.take('join', 'nat');
    await expect(limits.take('join', 'nat')).rejects.toMatchObject({ code: 'too_many_attempts' });
    for (let i = 0; i < 20; i++) await expect(limits.take('join', 'nat')).rejects.toMatchObject({ code: 'too_many_attempts' });
    expect((await stored('join')).sort()).toEqual([3, 3]);
    // Another key is untouched.
    await expect(limits.take('join', 'elsewhere')).resolves.toBeDefined();
  });
});
