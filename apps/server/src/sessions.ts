import { inArray } from 'drizzle-orm';
import { invalidateSession, invalidateUserSessions } from '@yishi/auth';
import { sessions } from '@yishi/db';
import type { Deps } from './deps.ts';
import type { Logger } from './logger.ts';

/*
 * Sessions that end while their sockets are open: logging out, expiry, and a host removing a guest
 * close that session's live socket.io and /yjs connections at once, on every instance.
 */

/** A live connection's way to be told that its session ended. */
type Closer = () => void;

interface Watched {
  expiresAt: number;
  closers: Set<Closer>;
}

/** Longest a timer may wait in Node (about 24.8 days); a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How often every watched session is re-read: catches ends that were not announced (Redis away). */
const SWEEP_MS = 60_000;

/**
 * The live connections of this instance by session. `ended` closes them. Expiry is watched with one
 * timer for the earliest session, re-read from the database when it fires (a session used over HTTP
 * meanwhile has slid forward and stays open); and every minute all watched sessions are re-read, so
 * a logout announced while Redis was away reaches this instance within a minute anyway.
 */
export class LiveSessions {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: Pick<Deps, 'db'>,
    private readonly log: Logger,
    private readonly sweepMs = SWEEP_MS,
  ) {}

  /** Watches a connection of a session; returns the function that stops watching it. */
  watch(sessionId: string, expiresAt: Date, close: Closer): () => void {
    let entry = this.watched.get(sessionId);
    if (!entry) this.watched.set(sessionId, (entry = { expiresAt: expiresAt.getTime(), closers: new Set() }));
    entry.closers.add(close);
    this.arm(entry.expiresAt);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => void this.check([...this.watched.keys()]), this.sweepMs);
      this.sweeper.unref();
    }
    const watched = entry;
    return () => {
      watched.closers.delete(close);
      if (!watched.closers.size && this.watched.get(sessionId) === watched) this.watched.delete(sessionId);
    };
  }

  /** Closes every connection of these sessions here (the sessions are already gone from the database). */
  ended(sessionIds: readonly string[]): void {
    for (const id of sessionIds) {
      const entry = this.watched.get(id);
      if (!entry) continue;
      this.watched.delete(id);
      for (const close of entry.closers) close();
    }
  }

  /** Connections watched (for tests). */
  get size(): number {
    let n = 0;
    for (const entry of this.watched.values()) n += entry.closers.size;
    return n;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    this.timer = this.sweeper = null;
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => void this.expire(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    this.timer.unref();
  }

  private async expire(): Promise<void> {
    this.timer = null;
    this.timerAt = Infinity;
    const now = Date.now();
    await this.check([...this.watched].filter(([, entry]) => entry.expiresAt <= now).map(([id]) => id));
    let next = Infinity;
    for (const entry of this.watched.values()) next = Math.min(next, entry.expiresAt);
    if (next < Infinity) this.arm(next);
  }

  /** Re-reads sessions; closes the ones that are gone or expired, and notes new expiry times. */
  private async check(ids: string[]): Promise<void> {
    const now = Date.now();
    try {
      const current = new Map<string, number>();
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = await this.deps.db
          .select({ id: sessions.id, expiresAt: sessions.expiresAt })
          .from(sessions)
          .where(inArray(sessions.id, ids.slice(i, i + 1000)));
        for (const row of rows) current.set(row.id, row.expiresAt.getTime());
      }
      const gone: string[] = [];
      for (const id of ids) {
        const expiresAt = current.get(id);
        const entry = this.watched.get(id);
        if (expiresAt === undefined || expiresAt <= now) gone.push(id);
        else if (entry) entry.expiresAt = expiresAt;
      }
      this.ended(gone);
    } catch (error) {
      // Tried again in a minute: a database blip must not close everyone.
      this.log.error({ err: error }, 'checking live sessions failed');
      for (const id of ids) {
        const entry = this.watched.get(id);
        if (entry && entry.expiresAt <= now) entry.expiresAt = now + 60_000;
      }
    }
  }
}

/** Ends sessions in the database, then closes their live connections on every instance. */
export async function endSessions(deps: Deps, sessionIds: readonly string[]): Promise<void> {
  if (!sessionIds.length) return;
  for (const id of sessionIds) await invalidateSession(deps.db, id);
  announceEnded(deps, sessionIds);
}

/** Ends every session of a user (a guest removed from their meeting). */
export async function endUserSessions(deps: Deps, userId: string): Promise<void> {
  const ids = await invalidateUserSessions(deps.db, userId);
  announceEnded(deps, ids);
}

/** The Redis channel that carries ended sessions between instances. */
export const sessionsChannel = (prefix: string) => `${prefix}sessions`;

function announceEnded(deps: Deps, sessionIds: readonly string[]): void {
  if (!sessionIds.length) return;
  deps.liveSessions.ended(sessionIds);
  const redis = deps.redis;
  if (!redis) return;
  redis.pub
    .publish(sessionsChannel(redis.prefix), JSON.stringify({ from: redis.instanceId, sessionIds }))
    // While Redis is away other instances close these at their next expiry check at the latest:
    // the database no longer has the sessions.
    .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not announce ended sessions'));
}

/** Closes live connections of sessions other instances ended (call once per process with Redis). */
export function listenForEndedSessions(deps: Deps): () => void {
  const redis = deps.redis;
  if (!redis) return () => {};
  const channel = sessionsChannel(redis.prefix);
  const onMessage = (from: Buffer, data: Buffer) => {
    if (from.toString() !== channel || data.length > 64 * 1024) return;
    try {
      const message = JSON.parse(data.toString()) as { from?: unknown; sessionIds?: unknown };
      if (message.from === redis.instanceId || !Array.isArray(message.sessionIds)) return;
      deps.liveSessions.ended(message.sessionIds.filter((id): id is string => typeof id === 'string'));
    } catch (error) {
      deps.logger.warn({ err: error }, 'unreadable ended-sessions message');
    }
  };
  redis.relaySub.on('messageBuffer', onMessage);
  redis.relaySub.subscribe(channel).catch((error: unknown) => deps.logger.debug({ err: error }, 'sessions subscribe failed'));
  return () => {
    redis.relaySub.off('messageBuffer', onMessage);
    void redis.relaySub.unsubscribe(channel).catch(() => {});
  };
}
