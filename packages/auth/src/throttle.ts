import { eq, sql } from 'drizzle-orm';
import { throttle, type Db } from '@yishi/db';

export interface ThrottleRule {
  /** Failures allowed inside one window before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failures per key (e.g. "login:ip:1.2.3.4") in the database, so every instance sees the
 * same counts. Only failures count: a room of 500 people joining correctly is never throttled.
 */
export class Throttle {
  constructor(private readonly db: Db) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  async retryAfter(key: string, rule: ThrottleRule, now = new Date()): Promise<number> {
    const rows = await this.db.select().from(throttle).where(eq(throttle.key, key));
    const row = rows[0];
    if (!row) return 0;
    const windowEnd = row.windowStart.getTime() + rule.windowMs;
    if (now.getTime() >= windowEnd || row.failures < rule.maxFailures) return 0;
    return Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000));
  }

  async fail(key: string, rule: ThrottleRule, now = new Date()): Promise<void> {
    // Raw Date parameters are not serialized alike by both drivers; ISO text with a cast is.
    const floor = sql`${new Date(now.getTime() - rule.windowMs).toISOString()}::timestamptz`;
    const at = sql`${now.toISOString()}::timestamptz`;
    await this.db
      .insert(throttle)
      .values({ key, failures: 1, windowStart: now })
      .onConflictDoUpdate({
        target: throttle.key,
        set: {
          failures: sql`case when ${throttle.windowStart} <= ${floor} then 1 else ${throttle.failures} + 1 end`,
          windowStart: sql`case when ${throttle.windowStart} <= ${floor} then ${at} else ${throttle.windowStart} end`,
        },
      });
  }

  async reset(key: string): Promise<void> {
    await this.db.delete(throttle).where(eq(throttle.key, key));
  }
}
