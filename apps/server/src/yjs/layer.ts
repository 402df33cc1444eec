import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { eq } from 'drizzle-orm';
import { WebSocketServer, type WebSocket } from 'ws';
import { meetings, participants } from '@yishi/db';
import {
  errorMessage,
  errorStatus,
  pickLocale,
  YJS_CLOSE,
  type ErrorCode,
  type MeetingKind,
  type MeetingRole,
  type MeetingStatus,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { authenticate, nodeRequestContext } from '../request.ts';
import type { LiveLayer, LiveLayerFactory } from '../server.ts';
import { DocRelay } from '../scale/relay.ts';
import { meetingAccess } from '../access.ts';
import { Connection, type ConnectionLimits, type ConnectionStats } from './connection.ts';
import { TokenBucket } from '../limits.ts';
import { roomDocEdit } from './edit.ts';
import { createPgPersistence, type DocPersistence } from './persistence.ts';
import { RoomManager } from './rooms.ts';

/** Everything tunable about the Yjs layer; tests shrink some of these. */
export interface YjsLayerOptions extends ConnectionLimits {
  /** Open connections per user (a guest is one session). */
  connectionsPerUser: number;
  /**
   * Upgrades being authenticated at once; beyond this, 503 without touching the database. Their
   * lookups are batched (one query per batch, see Batcher), so a pending upgrade costs a paused
   * socket and a key: the cap is about memory, and must let a whole room arrive at once (at 256,
   * 182 of 500 tablets joining together were refused and had to retry).
   */
  maxPendingUpgrades: number;
  /** An upgrade whose authentication takes longer is dropped. */
  authTimeoutMs: number;
  /** Ping interval; a connection that misses a pong is terminated. 0 disables. */
  heartbeatMs: number;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  /** A long log waits this long for a pause in typing before it is compacted (see RoomOptions). */
  compactIdleMs: number;
  /** Awareness changes gathered this long go out as one message per peer (see RoomOptions). */
  awarenessFlushMs: number;
  /** Persistence to use instead of the database in deps (e.g. to share counters in tests). */
  persistence?: DocPersistence;
}

export const YJS_DEFAULTS: Omit<YjsLayerOptions, 'persistence'> = {
  connectionsPerUser: 8,
  maxPendingUpgrades: 2048,
  authTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  compactAfterUpdates: 500,
  compactAfterBytes: 4 * 1024 * 1024,
  compactIdleMs: 1500,
  awarenessFlushMs: 50,
  awarenessStateBytes: 8 * 1024,
  awarenessBurst: 40,
  awarenessPerSecond: 20,
  // A provider queries once per connect; a tablet reconnecting on bad Wi-Fi a few times a minute.
  awarenessQueryBurst: 5,
  awarenessQueryPerSecond: 0.5,
  // 300 tablets × ~300 bytes of presence, with room to spare; 8 KiB per state as before.
  roomAwarenessBytes: 512 * 1024,
  clientIdsPerConnection: 4,
  maxPendingBytes: 8 * 1024 * 1024,
  maxBufferedBytes: 32 * 1024 * 1024,
  // A secretary typing a three-hour meeting writes ~2 MiB of updates, a pasted 20-page draft a few
  // hundred KiB. 4 MiB at once and 8 KiB/s (480 KiB a minute) after that: a hundred times a fast
  // typist, while a guest can no longer pour 36 MB into a meeting in seconds.
  writeBurstBytes: 4 * 1024 * 1024,
  writeBytesPerSecond: 8 * 1024,
};

/** The Yjs live layer plus what tests look at. */
export interface YjsLayer extends LiveLayer {
  persistence: DocPersistence;
  rooms: RoomManager;
  stats: ConnectionStats & { connections: number };
  /** The cross-instance relay, when REDIS_URL is set. */
  relay: DocRelay | null;
}

const PATH = /^\/yjs\/([A-Za-z0-9_-]{1,64})$/;
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answers an upgrade with a plain HTTP error (before any websocket exists). */
function refuse(
  socket: Duplex,
  req: IncomingMessage,
  code: ErrorCode,
  status = errorStatus(code),
): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({
    error: { code, message: errorMessage(code, pickLocale(req.headers['accept-language'])) },
  });
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroy();
}

/**
 * Serves /yjs/<meetingId> with the y-websocket protocol. One connection path: authenticate at
 * the upgrade (Origin, then session → 4401, then meeting access → 4403, then per-user limit)
 * before the socket is accepted → load or join the room → handle messages → release on close.
 * A foreign Origin gets HTTP 403 on the upgrade: no websocket is ever opened for it.
 */
export function createYjsLayer(deps: Deps, overrides: Partial<YjsLayerOptions> = {}): YjsLayer {
  const options = { ...YJS_DEFAULTS, ...overrides };
  const log = deps.logger.child({ layer: 'yjs' });
  const persistence =
    options.persistence ??
    createPgPersistence(deps.db, {
      onCorruptUpdate: (meetingId, id, error) =>
        log.error({ err: error, meetingId, id }, 'skipped a stored update that cannot be applied'),
    });
  const relay = deps.redis
    ? new DocRelay({
        link: deps.redis,
        persistence,
        logger: log,
        maxMessageBytes: deps.config.yjsMaxMessageBytes + 1024,
        onRefresh: (meetingId) => void refresh(meetingId),
      })
    : null;
  const rooms = new RoomManager(
    persistence,
    {
      compactAfterUpdates: options.compactAfterUpdates,
      compactAfterBytes: options.compactAfterBytes,
      compactIdleMs: options.compactIdleMs,
      awarenessFlushMs: options.awarenessFlushMs,
      storageFailedCode: YJS_CLOSE.storageFailed,
      invalidCode: YJS_CLOSE.invalidMessage,
      ...(relay ? { relay } : {}),
    },
    log,
    (room) => relay?.loaded(room),
  );
  relay?.attach(rooms);
  // Minutes and other readers see the live document of a room loaded here.
  const liveDocs = deps.liveDocs;
  const editDoc = deps.editDoc;
  deps.editDoc = roomDocEdit(rooms);
  deps.liveDocs = {
    get: (meetingId) =>
      rooms.get(meetingId)?.state === 'open' ? rooms.get(meetingId)?.doc : undefined,
  };
  // ws answers an oversized frame with close 1009 on its own.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.config.yjsMaxMessageBytes,
    clientTracking: false,
    perMessageDeflate: false,
  });
  const stats = {
    connections: 0,
    droppedUpdates: 0,
    droppedAwareness: 0,
    refusedUpdates: 0,
    throttledQueries: 0,
    invalidMessages: 0,
    skippedRedundant: 0,
    overBudgetUpdates: 0,
  };
  const connections = new Set<Connection>();
  const perUser = new Map<string, number>();
  let pendingUpgrades = 0;
  let closing = false;

  const acceptAndClose = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    code: number,
    reason: string,
  ) => wss.handleUpgrade(req, socket, head, (ws) => ws.close(code, reason));

  function releaseUser(userId: string): void {
    const n = (perUser.get(userId) ?? 1) - 1;
    if (n > 0) perUser.set(userId, n);
    else {
      perUser.delete(userId);
      // The allowance outlives the connection until it has refilled: reconnecting gives no fresh burst.
      const budget = writeBudgets.get(userId);
      if (budget) {
        const refillMs = ((options.writeBurstBytes - budget.level()) / options.writeBytesPerSecond) * 1000;
        setTimeout(() => {
          if (!perUser.has(userId)) writeBudgets.delete(userId);
        }, Math.max(0, refillMs)).unref();
      }
    }
  }

  /** Each person's write allowance, shared by their connections on this instance. */
  const writeBudgets = new Map<string, TokenBucket>();
  function writeBudgetOf(userId: string): TokenBucket {
    let budget = writeBudgets.get(userId);
    if (!budget) writeBudgets.set(userId, (budget = new TokenBucket(options.writeBurstBytes, options.writeBytesPerSecond)));
    return budget;
  }

  async function accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    meetingId: string,
  ): Promise<void> {
    const context = nodeRequestContext(req, deps.config);
    if (!context.originAllowed) return refuse(socket, req, 'foreign_origin');
    if (pendingUpgrades >= options.maxPendingUpgrades) return refuse(socket, req, 'server_busy');
    pendingUpgrades++;
    const timer = setTimeout(() => socket.destroy(), options.authTimeoutMs);
    try {
      const validation = await authenticate(deps, context);
      if (socket.destroyed) return;
      if (!validation)
        return acceptAndClose(req, socket, head, YJS_CLOSE.unauthenticated, 'unauthenticated');
      const { user, session } = validation;
      const access = meetingId ? await meetingAccess(deps, meetingId, user.id) : null;
      if (socket.destroyed) return;
      if (!access) return acceptAndClose(req, socket, head, YJS_CLOSE.forbidden, 'forbidden');
      if ((perUser.get(user.id) ?? 0) >= options.connectionsPerUser) {
        return acceptAndClose(
          req,
          socket,
          head,
          YJS_CLOSE.tooManyConnections,
          'too many connections',
        );
      }
      // Counted before the room loads, so parallel upgrades of one user cannot overshoot.
      perUser.set(user.id, (perUser.get(user.id) ?? 0) + 1);
      let room;
      try {
        room = await rooms.acquire(meetingId, { kind: access.meeting.kind as MeetingKind, locale: pickLocale(access.meeting.locale) });
      } catch (error) {
        releaseUser(user.id);
        throw error;
      }
      // Fresh from the database at every upgrade; later changes arrive through refresh().
      room.status = access.meeting.status as MeetingStatus;
      if (socket.destroyed || closing) {
        releaseUser(user.id);
        rooms.release(room);
        if (!socket.destroyed) refuse(socket, req, 'server_busy');
        return;
      }
      const acquired = room;
      let attached = false;
      socket.once('close', () => {
        // handleUpgrade gives up silently on a dead socket: give the hold back.
        if (attached) return;
        attached = true;
        releaseUser(user.id);
        rooms.release(acquired);
      });
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        if (attached) return ws.terminate();
        attached = true;
        let unwatch = () => {};
        const connection = new Connection(
          ws,
          acquired,
          user.id,
          access.role,
          options,
          stats,
          log,
          (c) => {
            unwatch();
            connections.delete(c);
            stats.connections = connections.size;
            releaseUser(user.id);
            rooms.release(acquired);
          },
          writeBudgetOf(user.id),
          [...new Set([user.name, access.participant.name].map((n) => n.trim()))],
        );
        connections.add(connection);
        stats.connections = connections.size;
        // Logging out (here or on another instance) or the session expiring closes the connection.
        unwatch = deps.liveSessions.watch(session.id, session.expiresAt, () =>
          connection.close(YJS_CLOSE.unauthenticated, 'session ended'),
        );
        connection.start();
      });
    } finally {
      clearTimeout(timer);
      pendingUpgrades--;
    }
  }

  // Roles and the meeting's status change while people are connected (demoted to observer, meeting
  // closed): re-read them per room, here and (through the relay) on every other instance.
  const refreshing = new Map<string, boolean>();
  async function refresh(meetingId: string): Promise<void> {
    if (refreshing.has(meetingId)) {
      refreshing.set(meetingId, true);
      return;
    }
    refreshing.set(meetingId, false);
    try {
      do {
        refreshing.set(meetingId, false);
        const rows = await deps.db
          .select({ userId: participants.userId, role: participants.role })
          .from(participants)
          .where(eq(participants.meetingId, meetingId));
        const [meeting] = await deps.db
          .select({ status: meetings.status })
          .from(meetings)
          .where(eq(meetings.id, meetingId));
        const room = rooms.get(meetingId);
        const roles = new Map(rows.map((r) => [r.userId, r.role as MeetingRole]));
        const before = new Map([...connections].filter((c) => c.room.meetingId === meetingId).map((c) => [c, c.writable]));
        if (room && meeting) room.status = meeting.status as MeetingStatus;
        for (const [connection, wrote] of before) {
          const role = roles.get(connection.userId);
          if (!role) {
            connection.close(YJS_CLOSE.forbidden, 'forbidden');
            continue;
          }
          connection.role = role;
          // A changed write right is told, not applied quietly: the provider reconnects with it.
          if (connection.writable !== wrote) connection.close(YJS_CLOSE.rightsChanged, 'rights changed');
        }
      } while (refreshing.get(meetingId));
    } catch (error) {
      log.error({ err: error, meetingId }, 'refreshing roles failed');
    } finally {
      refreshing.delete(meetingId);
    }
  }
  const onRoster = (meetingId: string) => {
    relay?.refresh(meetingId);
    if (rooms.get(meetingId)) void refresh(meetingId);
  };
  deps.events.on('roster', onRoster);
  deps.events.on('meeting', onRoster);

  const heartbeat =
    options.heartbeatMs > 0
      ? setInterval(() => {
          for (const connection of connections) {
            if (!connection.alive) {
              connection.ws.terminate();
              continue;
            }
            connection.alive = false;
            connection.ws.ping();
          }
        }, options.heartbeatMs)
      : null;
  heartbeat?.unref();

  return {
    persistence,
    rooms,
    stats,
    relay,
    upgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path !== '/yjs' && !path.startsWith('/yjs/')) return false;
      // Until someone reads it, the socket is paused: nothing is buffered before authentication.
      socket.on('error', (error) => log.debug({ err: error }, 'yjs upgrade socket error'));
      if (closing) {
        refuse(socket, req, 'server_busy');
        return true;
      }
      const meetingId = PATH.exec(path)?.[1] ?? '';
      accept(req, socket, head, meetingId).catch((error: unknown) => {
        log.error({ err: error }, 'yjs upgrade failed');
        refuse(socket, req, 'internal');
      });
      return true;
    },
    async close() {
      closing = true;
      if (heartbeat) clearInterval(heartbeat);
      deps.events.off('roster', onRoster);
      deps.events.off('meeting', onRoster);
      deps.liveDocs = liveDocs;
      deps.editDoc = editDoc;
      relay?.close();
      const open = [...connections];
      for (const connection of open) connection.close(YJS_CLOSE.goingAway, 'server shutting down');
      await rooms.idle();
      await persistence.drain();
      // The close frames went out above; a client that does not answer must not hold the shutdown.
      for (const connection of open) connection.ws.terminate();
      wss.close();
    },
  };
}

/** The production Yjs layer with default options. */
export const yjsLayer: LiveLayerFactory = (_server, deps) => createYjsLayer(deps);
