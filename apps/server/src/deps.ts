import { EventEmitter } from 'node:events';
import { Throttle } from '@yishi/auth';
import type { Database, Db } from '@yishi/db';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

/** In-process notifications from services to the live layers (socket.io, Yjs). */
export interface DomainEvents {
  /** The roster of a meeting changed (join, role, presence, eligibility). */
  roster: [meetingId: string];
  /** A meeting's own fields changed (status, title, join code). */
  meeting: [meetingId: string];
  /** A follow-up of a community was created or changed. */
  followups: [communityId: string];
}

/** Everything the app needs, built once in main.ts (or a test) and handed down. */
export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  logger: Logger;
  throttle: Throttle;
  events: EventEmitter<DomainEvents>;
  /** Base URL for join links; fixed once the port is known. */
  publicBaseUrl: () => URL;
}

export function createDeps(options: {
  config: Config;
  database: Database;
  logger: Logger;
  publicBaseUrl: () => URL;
}): Deps {
  return {
    ...options,
    db: options.database.db,
    throttle: new Throttle(options.database.db),
    events: new EventEmitter<DomainEvents>(),
  };
}
