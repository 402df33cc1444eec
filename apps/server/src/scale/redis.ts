import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** Whether this instance can reach Redis right now. */
export type RedisStatus = 'up' | 'down';

/** The Redis connections of one instance, shared by the socket.io adapter and the Yjs relay. */
export interface RedisLink {
  /** Random per process: lets an instance ignore its own messages. */
  readonly instanceId: string;
  /** Prefix of every key and channel (REDIS_PREFIX), so deployments and test runs never cross-talk. */
  readonly prefix: string;
  /** Publishes; while Redis is down this fails at once (caught), it never queues. */
  readonly pub: Redis;
  /** Subscriber for the socket.io adapter (ioredis re-subscribes after a reconnect). */
  readonly adapterSub: Redis;
  /** Subscriber for the Yjs relay. */
  readonly relaySub: Redis;
  status(): RedisStatus;
  /** 'up' and 'down' fire once per transition (the first 'up' included). */
  readonly events: EventEmitter<{ up: []; down: [] }>;
  close(): Promise<void>;
}

/** Methods whose promises the socket.io adapter drops on the floor: their failures are logged here instead. */
const FIRE_AND_FORGET = new Set<PropertyKey>([
  'publish',
  'subscribe',
  'psubscribe',
  'unsubscribe',
  'punsubscribe',
]);

/**
 * The same client, but fire-and-forget calls cannot become unhandled rejections (which would end
 * the process) while Redis is unreachable. For handing to code we do not own (the adapter).
 */
export function quietClient(client: Redis, log: Logger): Redis {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (!FIRE_AND_FORGET.has(prop)) return bound;
      return (...args: unknown[]) => {
        const result = bound(...args);
        if (result instanceof Promise) {
          result.catch((error: unknown) =>
            log.debug({ err: error, command: String(prop) }, 'redis command failed'),
          );
        }
        return result;
      };
    },
  });
}

/**
 * Opens the three Redis connections without waiting for them: an instance starts and serves its
 * own clients whether or not Redis is there, and reports the state in /healthz and the log.
 */
export function createRedisLink(options: {
  url: string;
  prefix: string;
  logger: Logger;
}): RedisLink {
  const log = options.logger.child({ component: 'redis' });
  const common = {
    // Reconnect forever, quickly at first; never give up on a command of a subscriber.
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    connectTimeout: 5000,
    lazyConnect: false,
  };
  const pub = new Redis(options.url, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  // No ready check on subscribers: its INFO can land after a (p)subscribe queued at startup, fail
  // with "Connection in subscriber mode", and the reconnect then came back without the adapter's
  // subscription — an instance that silently never heard the others' broadcasts.
  const subscriber = { ...common, maxRetriesPerRequest: null, enableReadyCheck: false };
  const adapterSub = new Redis(options.url, subscriber);
  const relaySub = new Redis(options.url, subscriber);
  const clients = [pub, adapterSub, relaySub];
  const events = new EventEmitter<{ up: []; down: [] }>();
  let current: RedisStatus = 'down';
  let announced = false;
  let closing = false;

  const evaluate = () => {
    if (closing) return;
    const next: RedisStatus = clients.every((c) => c.status === 'ready') ? 'up' : 'down';
    if (next === current && announced) return;
    // "down" before the first "up" is just startup: say it only if it is still so after a while.
    if (!announced && next === 'down') return;
    announced = true;
    current = next;
    if (next === 'up')
      log.info('redis is reachable: instances share broadcasts and document updates');
    else log.warn('redis is unreachable: serving local clients only until it returns');
    events.emit(next);
  };
  for (const client of clients) {
    client.on('ready', evaluate);
    client.on('close', evaluate);
    client.on('end', evaluate);
    // Every error also shows up as a close/reconnect; the transition is logged once there.
    client.on('error', (error: Error) => log.debug({ err: error }, 'redis connection error'));
  }
  const startup = setTimeout(() => {
    if (!announced) {
      announced = true;
      log.warn('redis is unreachable at startup: serving local clients only until it comes up');
    }
  }, common.connectTimeout);
  startup.unref();

  return {
    instanceId: randomBytes(8).toString('hex'),
    prefix: options.prefix,
    pub,
    adapterSub,
    relaySub,
    status: () => current,
    events,
    async close() {
      closing = true;
      clearTimeout(startup);
      // quit() waits for Redis; when it is gone, disconnect() is all there is.
      await Promise.all(
        clients.map((c) =>
          c.status === 'ready'
            ? c.quit().then(
                () => undefined,
                () => c.disconnect(),
              )
            : c.disconnect(),
        ),
      );
    },
  };
}
