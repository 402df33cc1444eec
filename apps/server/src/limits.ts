import { isIPv6 } from 'node:net';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimits, type Db } from '@yishi/db';
import { AppError } from './errors.ts';

/*
 * Every rate limit of the server, in one module.
 *
 * Limits shared by all instances (logins, joins, signups, public forms) are counters in PostgreSQL
 * through rate-limiter-flexible's drizzle store: one INSERT … ON CONFLICT DO UPDATE … RETURNING per
 * attempt, so the point is taken atomically *before* the attempt is evaluated. 200 concurrent wrong
 * passwords can therefore never all be checked: only as many as there are points left. An attempt
 * that turns out right gives its point back, so only failures use up a limit.
 *
 * Per-connection limits (socket.io events, Yjs awareness) are in-memory token buckets, checked
 * synchronously on the message path: a Promise per message would cost an allocation and a tick
 * on the hottest path, and could reorder messages of one connection.
 */

/** A window of `points` attempts per `duration` seconds, optionally followed by a slower reserve. */
export interface LimitRule {
  points: number;
  duration: number;
  /** Taken from when the window is used up: a careless burst slows down instead of locking out. */
  reserve?: { points: number; duration: number };
}

/**
 * The shared limits. The arithmetic behind them is in docs/threat-model.md ("Guessing").
 * - login.device: one person retyping a password on one device waits at most a minute;
 * - login.account: an account guessed from many addresses;
 * - login.address: one address guessing many accounts (a NAT'd room of account holders fits);
 * - join: wrong join codes from one address; right codes never count;
 * - signup: accounts made from one address (each costs an argon2 hash);
 * - demo: demo meetings made from one address (each writes a few dozen rows).
 * - idea.address: ideas posted from one address (an estate behind one NAT posts 500 in a minute);
 * - photo.address: photos from one address (each costs a decode and re-encode);
 * - household.guess: wrong household codes from one address; right codes never count;
 * - answer.address: answers to open ranking rounds (no code to be right or wrong) from one address;
 * - receipt.guess: wrong idea receipts from one address; right ones never count.
 */
export const LIMITS = {
  'login.device': { points: 5, duration: 60 },
  'login.account': { points: 20, duration: 15 * 60 },
  'login.address': { points: 100, duration: 15 * 60 },
  join: { points: 10, duration: 60, reserve: { points: 40, duration: 60 * 60 } },
  signup: { points: 20, duration: 10 * 60 },
  demo: { points: 10, duration: 10 * 60 },
  'idea.address': { points: 1000, duration: 60 * 60 },
  'photo.address': { points: 200, duration: 60 * 60 },
  'household.guess': { points: 20, duration: 10 * 60, reserve: { points: 60, duration: 24 * 60 * 60 } },
  'answer.address': { points: 3000, duration: 10 * 60 },
  'receipt.guess': { points: 20, duration: 10 * 60, reserve: { points: 60, duration: 24 * 60 * 60 } },
} satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof LIMITS;

interface Stores {
  main: RateLimiterDrizzle;
  reserve: RateLimiterDrizzle | null;
}

/** A point taken from a limit; give it back with refund() when the attempt turned out right. */
export interface Ticket {
  refund(): Promise<void>;
}

/**
 * A client address as a limit key. IPv6 counts per /64: one home or phone gets a whole /64 and
 * can pick any address in it, so per-address keys would limit nothing.
 */
export function addressKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Attempts of one address evaluated at once (per instance); the rest wait their turn. */
const GATE_CONCURRENCY = 4;
/** Attempts of one address waiting at once; beyond, the server answers busy. */
const GATE_QUEUE = 512;

/** The shared limits of one deployment (backed by the database in deps). */
export class Limits {
  private readonly stores = new Map<LimitName, Stores>();
  private readonly gates = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(db: Db, rules: Record<LimitName, LimitRule> = LIMITS) {
    for (const [name, rule] of Object.entries(rules) as [LimitName, LimitRule][]) {
      // A key past its points is refused from memory until its window ends (inMemoryBlockOnConsumed
      // without a duration blocks for the rest of the window): a guesser hammering a used-up limit
      // costs no database write per attempt. The count in the database is already past the limit,
      // so every instance refuses it anyway; delete() (clear) lifts the block too.
      const make = (points: number, duration: number, prefix: string) =>
        new RateLimiterDrizzle({ storeClient: db, schema: rateLimits, keyPrefix: prefix, points, duration, inMemoryBlockOnConsumed: points + 1 });
      this.stores.set(name, {
        main: make(rule.points, rule.duration, name),
        reserve: rule.reserve ? make(rule.reserve.points, rule.reserve.duration, `${name}.reserve`) : null,
      });
    }
  }

  /**
   * Takes one point of a limit, atomically, from its window or else its reserve; throws
   * `too_many_attempts` (429, with Retry-After: when the next point frees up) when none is left.
   * Call it before the attempt is evaluated.
   */
  async take(name: LimitName, key: string): Promise<Ticket> {
    const { main, reserve } = this.stores.get(name)!;
    let waitMs: number;
    try {
      await main.consume(key);
      return ticket(main, key);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      waitMs = refused.msBeforeNext;
    }
    if (reserve) {
      try {
        await reserve.consume(key);
        return ticket(reserve, key);
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        waitMs = Math.min(waitMs, refused.msBeforeNext);
      }
    }
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError('too_many_attempts', { seconds }, { 'Retry-After': String(seconds) });
  }

  /**
   * Throws `too_many_attempts` when the key has no point left in the window nor the reserve,
   * without taking one. For attempts checked first and charged only when wrong (see
   * ideas/rounds.ts): a right one costs a read instead of two writes to one hot row.
   */
  async check(name: LimitName, key: string): Promise<void> {
    const { main, reserve } = this.stores.get(name)!;
    const used = await main.get(key);
    if (!used || used.remainingPoints > 0) return;
    let waitMs = used.msBeforeNext;
    if (reserve) {
      const spare = await reserve.get(key);
      if (!spare || spare.remainingPoints > 0) return;
      waitMs = Math.min(waitMs, spare.msBeforeNext);
    }
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError('too_many_attempts', { seconds }, { 'Retry-After': String(seconds) });
  }

  /** Takes one point of each limit in turn; if one refuses, the points already taken go back. */
  async takeAll(wanted: readonly (readonly [LimitName, string])[]): Promise<Ticket> {
    const taken: Ticket[] = [];
    try {
      for (const [name, key] of wanted) taken.push(await this.take(name, key));
    } catch (error) {
      await Promise.all(taken.map((t) => t.refund()));
      throw error;
    }
    return { refund: async () => void (await Promise.all(taken.map((t) => t.refund()))) };
  }

  /**
   * Runs an attempt with few others of the same address at once. A point is taken before an attempt
   * and given back after a right one, so points in flight count as used: without this gate a room
   * of 60 tablets joining at the same instant would briefly hold more points than a window has.
   */
  async gate<T>(key: string, run: () => Promise<T>): Promise<T> {
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = { running: 0, waiting: [] }));
    if (gate.running >= GATE_CONCURRENCY) {
      if (gate.waiting.length >= GATE_QUEUE) throw new AppError('server_busy');
      await new Promise<void>((resolve) => gate.waiting.push(resolve));
    }
    gate.running++;
    try {
      return await run();
    } finally {
      gate.running--;
      const next = gate.waiting.shift();
      if (next) next();
      else if (gate.running === 0) this.gates.delete(key);
    }
  }

  /** Forgets a key in a limit (e.g. a device after its correct password). */
  async clear(name: LimitName, key: string): Promise<void> {
    const { main, reserve } = this.stores.get(name)!;
    await Promise.all([main.delete(key), reserve?.delete(key)]);
  }
}

function ticket(store: RateLimiterDrizzle, key: string): Ticket {
  return { refund: async () => void (await store.reward(key)) };
}

/**
 * A token bucket for one connection: `burst` at once, refilled at `perSecond`. Synchronous, for
 * the message path. The clock is injectable for tests.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes `n` tokens at once; false (taking none) when fewer are left. */
  takeMany(n: number): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Tokens in the bucket now. */
  level(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}
