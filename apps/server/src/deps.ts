import { EventEmitter } from 'node:events';
import type * as Y from 'yjs';
import type { Database, Db } from '@yishi/db';
import type { IdeaDto } from '@yishi/model';
import type { Config } from './config.ts';
import { Limits } from './limits.ts';
import { BallotKeys } from './polls/ballotSeal.ts';
import { LiveSessions } from './sessions.ts';
import type { Logger } from './logger.ts';
import type { RedisLink } from './scale/redis.ts';
import { storedDocEdit, type DocEdit } from './yjs/edit.ts';
import { createPgPersistence } from './yjs/persistence.ts';

/** In-process notifications from services to the live layers (socket.io, Yjs). */
export interface DomainEvents {
  /** The roster of a meeting changed (join, role, presence, eligibility). */
  roster: [meetingId: string];
  /** The host removed someone from a meeting's roster. */
  removed: [meetingId: string, userId: string];
  /** A meeting's own fields changed (status, title, join code). */
  meeting: [meetingId: string];
  /** A follow-up of a community was created or changed. */
  followups: [communityId: string];
  /** The speaker queue of a meeting changed outside a queue event (e.g. the meeting ended). */
  queue: [meetingId: string];
  /** An idea campaign changed: a new idea (given, for organisers' live lists) or themes, moves, rounds (null). */
  ideas: [campaignId: string, idea: IdeaDto | null];
}

/** Everything the app needs, built once in main.ts (or a test) and handed down. */
export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  logger: Logger;
  /** The keys open secret ballots are sealed under, from the server secret (never in the database). */
  ballotKeys: BallotKeys;
  /** Rate limits shared by every instance (logins, joins, signups, public forms). */
  limits: Limits;
  /** The live connections of this instance by session, closed when their session ends. */
  liveSessions: LiveSessions;
  events: EventEmitter<DomainEvents>;
  /** Base URL for join links; fixed once the port is known. */
  publicBaseUrl: () => URL;
  /** Redis, when REDIS_URL is set: socket.io broadcasts and Yjs updates reach every instance. */
  redis?: RedisLink;
  /** The live documents of this process (set by the Yjs layer), for readers that want the freshest state. */
  liveDocs: { get(meetingId: string): Y.Doc | undefined };
  /** Changes a meeting document on the server's behalf: stored, then seen live (the Yjs layer plugs in its rooms). */
  editDoc: DocEdit;
}

/** Builds the dependencies; the Yjs layer plugs its rooms into `liveDocs` when it starts. */
export function createDeps(options: {
  config: Config;
  database: Database;
  logger: Logger;
  publicBaseUrl: () => URL;
  redis?: RedisLink;
  /** The server secret (secret.ts); every instance over one database must share it. */
  secret: Uint8Array;
}): Deps {
  const { secret, ...rest } = options;
  return {
    ...rest,
    ballotKeys: new BallotKeys(secret),
    liveDocs: { get: () => undefined },
    editDoc: storedDocEdit(createPgPersistence(options.database.db)),
    db: options.database.db,
    limits: new Limits(options.database.db),
    liveSessions: new LiveSessions(options.database, options.logger.child({ component: 'sessions' })),
    events: new EventEmitter<DomainEvents>(),
  };
}
