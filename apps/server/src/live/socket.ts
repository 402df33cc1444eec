import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { Session, SessionUser } from '@yishi/auth';
import {
  MAX_EVENT_BYTES,
  meetingEnterPayload,
  pollClosePayload,
  pollCreatePayload,
  pollListPayload,
  pollOpenPayload,
  pollRunoffPayload,
  pollVotePayload,
  pollPaperPayload,
  pollUnitsPayload,
  queueLowerPayload,
  queueMeetingPayload,
  queueNextPayload,
  queueRaisePayload,
  queueReorderPayload,
  type AckError,
  type QueueDto,
  type RoomClientToServerEvents,
  type RoomServerToClientEvents,
  type ClientToServerEvents,
  type Locale,
  type ServerToClientEvents,
  campaignWatchPayload,
  type IdeasClientToServerEvents,
  type IdeasServerToClientEvents,
  DRAW_LIMITS,
  drawCreatePayload,
  drawListPayload,
  drawSeedPayload,
  type DrawClientToServerEvents,
  type DrawDto,
  type PollDto,
  type DrawServerToClientEvents,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { TokenBucket } from '../limits.ts';
import { authenticate, nodeRequestContext } from '../request.ts';
import { AppError, answerOf } from '../errors.ts';
import { BallotBox, reconcileVotes } from '../polls/ballotBox.ts';
import { Coalescer } from '../polls/coalescer.ts';
import { castVote, closePoll, createPoll, createRunoff, dtoWithTurnout, getPoll, listPolls, myPollStatus, openPoll, sealOf } from '../polls/service.ts';
import { enterPaperBallot, listPollUnits } from '../polls/owners.ts';
import type { LiveLayer, LiveLayerFactory } from '../server.ts';
import { quietClient } from '../scale/redis.ts';
import { meetingAccess } from '../access.ts';
import { listQueue, lowerHand, nextSpeaker, raiseHand, readQueue, reorderQueue } from '../services/queue.ts';
import { requireCampaignAdmin } from '../ideas/access.ts';
import { campaignRoom, forwardCampaignEvents } from '../ideas/live.ts';
import { createDraw, listDraws, seedDraw } from '../draws/service.ts';

export interface SocketLayerOptions {
  /** Largest socket.io packet; bigger ones close that one connection. */
  maxHttpBufferSize?: number;
  /** Token bucket per socket (a user's next socket continues from the last one's): burst size and refill per second. */
  rateLimit?: { burst: number; perSecond: number };
  /** Events refused in a row (over the rate) after which the socket is disconnected. */
  floodDisconnect?: number;
  /** Open sockets per user on this instance (like /yjs's 4529). */
  connectionsPerUser?: number;
  /** Ballot batching (see BallotBox). */
  ballots?: { windowMs?: number; maxBatch?: number };
  /** Shortest time between two turnout broadcasts of one poll (ms). */
  turnoutIntervalMs?: number;
}

interface SocketData {
  user: SessionUser;
  session: Session;
  sessionToken: string;
  locale: Locale;
  bucket: TokenBucket;
  /** Events refused in a row for the rate. */
  refused: number;
}

/** Every event a client may send: polls and the room (speaker queue). */
type ClientEvents = ClientToServerEvents & RoomClientToServerEvents & IdeasClientToServerEvents & DrawClientToServerEvents;
type ServerEvents = ServerToClientEvents & RoomServerToClientEvents & IdeasServerToClientEvents & DrawServerToClientEvents;
type LiveServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

const DEFAULTS = {
  maxHttpBufferSize: 64 * 1024,
  rateLimit: { burst: 20, perSecond: 10 },
  floodDisconnect: 200,
  connectionsPerUser: 8,
  turnoutIntervalMs: 150,
};

/** The socket.io room of a meeting. */
export const meetingRoom = (meetingId: string) => `meeting:${meetingId}`;
/** Everyone in any meeting of a community: follow-ups belong to the community. */
export const communityRoom = (communityId: string) => `community:${communityId}`;

/** The sockets of one user (every instance, through the adapter). */
export const userRoom = (userId: string) => `user:${userId}`;

function errorAck(error: unknown, locale: Locale): AckError {
  return { ok: false, error: answerOf(error).toBody(locale) };
}

/** The socket.io layer with options (tests tune batching and rate limits); production uses `socketLayer`. */
export function createSocketLayer(options: SocketLayerOptions = {}): LiveLayerFactory {
  return async (httpServer: HttpServer, deps: Deps): Promise<LiveLayer> => {
    const { logger } = deps;
    const rateLimit = options.rateLimit ?? DEFAULTS.rateLimit;
    const floodDisconnect = options.floodDisconnect ?? DEFAULTS.floodDisconnect;
    const connectionsPerUser = options.connectionsPerUser ?? DEFAULTS.connectionsPerUser;
    const perUser = new Map<string, number>();
    // Ballots left half-written by a crash are resolved before anyone can vote again.
    const recovered = await reconcileVotes(deps.db);
    if (recovered.cast || recovered.dropped) logger.warn(recovered, 'reconciled pending voter marks');

    const authenticated = new WeakMap<IncomingMessage, { user: SessionUser; session: Session; sessionToken: string; locale: Locale }>();
    // A socket's bucket outlives it for as long as it takes to refill: the user's next socket
    // continues from it. Otherwise a flooder reconnecting after each disconnect would start every
    // socket with a full burst of events that reach the database (measured: 106 reconnects in
    // 20 s, 2,500 poll queries). Live sockets of one user keep their own buckets.
    const refillMs = Math.ceil((rateLimit.burst / rateLimit.perSecond) * 1000);
    const leftBuckets = new Map<string, { bucket: TokenBucket; timer: NodeJS.Timeout }>();
    const takeBucket = (userId: string): TokenBucket => {
      const left = leftBuckets.get(userId);
      if (!left) return new TokenBucket(rateLimit.burst, rateLimit.perSecond);
      clearTimeout(left.timer);
      leftBuckets.delete(userId);
      return left.bucket;
    };
    const leaveBucket = (userId: string, bucket: TokenBucket) => {
      const previous = leftBuckets.get(userId);
      // Of two sockets closing, the emptier bucket is the one to continue from.
      if (previous && previous.bucket.level() <= bucket.level()) return;
      if (previous) clearTimeout(previous.timer);
      const timer = setTimeout(() => leftBuckets.delete(userId), refillMs);
      timer.unref();
      leftBuckets.set(userId, { bucket, timer });
    };
    // The refusal is the same for every event over the rate: built once per language, not per event.
    const rateLimited = new Map<Locale, AckError>();
    const rateLimitedAck = (locale: Locale): AckError => {
      let ack = rateLimited.get(locale);
      if (!ack) rateLimited.set(locale, (ack = errorAck(new AppError('rate_limited'), locale)));
      return ack;
    };

    const io: LiveServer = new Server(httpServer, {
      path: '/socket.io',
      // The same server carries /yjs upgrades: socket.io must leave other paths alone.
      destroyUpgrade: false,
      maxHttpBufferSize: options.maxHttpBufferSize ?? DEFAULTS.maxHttpBufferSize,
      serveClient: false,
      // Authenticate before the connection exists: foreign Origin or no session never gets a socket.
      allowRequest: (req, done) => {
        // Total: whatever the headers hold, the handshake is refused or accepted, never thrown.
        const context = nodeRequestContext(req, deps.config);
        if (!context.originAllowed) return done('foreign_origin', false);
        const { sessionToken, locale } = context;
        if (!sessionToken) return done('unauthenticated', false);
        authenticate(deps, context).then(
          (validation) => {
            if (!validation) return done('unauthenticated', false);
            authenticated.set(req, { user: validation.user, session: validation.session, sessionToken, locale });
            done(null, true);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'socket.io handshake failed');
            done('internal', false);
          },
        );
      },
    });

    // With Redis, broadcasts reach the clients of every instance (a no-op for a lone laptop).
    if (deps.redis) {
      const log = logger.child({ component: 'socket.io-redis' });
      io.adapter(createAdapter(quietClient(deps.redis.pub, log), quietClient(deps.redis.adapterSub, log), { key: `${deps.redis.prefix}socket.io` }));
    }

    // Turnout after ballots: at most one broadcast per poll and interval, re-read from the database so
    // that ballots taken by other instances count too. Open and close broadcast at once themselves.
    const turnout = new Coalescer(
      options.turnoutIntervalMs ?? DEFAULTS.turnoutIntervalMs,
      async (pollId, current) => {
        const poll = await getPoll(deps, pollId);
        // A close broadcasts its own state; a turnout read before it must not arrive after it.
        if (poll?.status === 'open' && current()) io.to(meetingRoom(poll.meetingId)).emit('poll:state', { poll });
      },
      (error, pollId) => logger.error({ err: error, pollId }, 'poll:state broadcast failed'),
    );
    const box = new BallotBox(deps.db, logger, { ...options.ballots, onCast: (pollId) => turnout.request(pollId) });

    io.use((socket, next) => {
      const auth = authenticated.get(socket.request);
      if (!auth) return next(new Error('unauthenticated'));
      // Counted here, synchronously, so parallel handshakes of one user cannot overshoot the cap.
      const open = perUser.get(auth.user.id) ?? 0;
      if (open >= connectionsPerUser) return next(new Error('too_many_connections'));
      perUser.set(auth.user.id, open + 1);
      socket.conn.once('close', () => {
        const n = (perUser.get(auth.user.id) ?? 1) - 1;
        if (n > 0) perUser.set(auth.user.id, n);
        else perUser.delete(auth.user.id);
      });
      socket.data = { ...auth, bucket: takeBucket(auth.user.id), refused: 0 };
      socket.conn.once('close', () => leaveBucket(auth.user.id, socket.data.bucket));
      next();
    });

    const onRoster = (meetingId: string) => io.to(meetingRoom(meetingId)).emit('roster:changed', { meetingId });
    deps.events.on('roster', onRoster);
    // Through the adapter this reaches the person's sockets on every instance.
    const onRemoved = (meetingId: string, removedId: string) => {
      // Their eligibility in open polls is gone from the database: the fast vote path must not remember it.
      box.openPolls.clear();
      io.to(userRoom(removedId)).emit('meeting:removed', { meetingId });
      io.in(userRoom(removedId)).socketsLeave(meetingRoom(meetingId));
    };
    deps.events.on('removed', onRemoved);
    const onMeeting = (meetingId: string) => io.to(meetingRoom(meetingId)).emit('meeting:changed', { meetingId });
    deps.events.on('meeting', onMeeting);
    const onFollowUps = (communityId: string) => io.to(communityRoom(communityId)).emit('followups:changed', { communityId });
    deps.events.on('followups', onFollowUps);
    // The queue emptied by a service (the meeting ended): everyone sees the floor close.
    const onQueue = (meetingId: string) =>
      void readQueue(deps, meetingId).then(
        (queue) => io.to(meetingRoom(meetingId)).emit('queue:state', { queue }),
        (error: unknown) => logger.error({ err: error, meetingId }, 'queue:state broadcast failed'),
      );
    deps.events.on('queue', onQueue);
    const stopCampaignEvents = forwardCampaignEvents(io, deps);

    io.on('connection', (socket: LiveSocket) => {
      // Floods are answered per socket; other sockets keep their own buckets (a reconnect continues
      // from the last one's). A socket that keeps sending far past its rate is not a slow tablet: it
      // is disconnected.
      socket.use((packet, next) => {
        if (socket.data.bucket.take()) {
          socket.data.refused = 0;
          return next();
        }
        if (++socket.data.refused >= floodDisconnect) {
          logger.warn({ userId: socket.data.user.id }, 'socket.io flood: disconnected');
          socket.disconnect(true);
          return;
        }
        const ack = packet.at(-1);
        if (typeof ack === 'function') ack(rateLimitedAck(socket.data.locale));
      });
      void socket.join(userRoom(socket.data.user.id));
      // Logging out (here or on another instance) or the session expiring closes the socket.
      const unwatch = deps.liveSessions.watch(socket.data.session.id, socket.data.session.expiresAt, () => {
        socket.emit('session:ended', {});
        socket.disconnect(true);
      });
      socket.on('disconnect', unwatch);

      /** Registers a handler that validates its payload and always answers the ack (if there is one). */
      const on = <S extends z.ZodType, R extends object>(
        event: keyof ClientEvents,
        schema: S,
        handle: (payload: z.infer<S>) => Promise<R>,
        /** A larger cap for an event that carries a list (UTF-8 bytes of its JSON). */
        maxBytes?: { bytes: number; error: 'payload_too_large' | 'draw_too_large' },
      ) => {
        socket.on(event, (async (payload: unknown, ack: unknown) => {
          const reply = typeof ack === 'function' ? (ack as (answer: object) => void) : () => {};
          try {
            const json = JSON.stringify(payload ?? null);
            if (maxBytes ? Buffer.byteLength(json) > maxBytes.bytes : json.length > MAX_EVENT_BYTES) throw new AppError(maxBytes?.error ?? 'payload_too_large');
            const parsed = schema.safeParse(payload);
            if (!parsed.success) {
              throw new AppError('invalid_input', {}, {}, parsed.error.issues.map((i) => String(i.path[0] ?? 'request')));
            }
            reply({ ok: true, ...(await handle(parsed.data)) });
          } catch (error) {
            // Never log the payload: it may hold a choice.
            if (answerOf(error).code === 'internal') logger.error({ err: error, event }, 'socket.io event failed');
            reply(errorAck(error, socket.data.locale));
          }
        }) as never);
      };
      const userId = socket.data.user.id;

      on('meeting:enter', meetingEnterPayload, async ({ meetingId }) => {
        const access = await meetingAccess(deps, meetingId, userId);
        if (!access) throw new AppError('forbidden');
        await socket.join([meetingRoom(meetingId), communityRoom(access.meeting.communityId)]);
        return { role: access.role, eligible: access.participant.eligible && access.role !== 'observer' };
      });

      on('poll:list', pollListPayload, async ({ meetingId }) => {
        if (!(await meetingAccess(deps, meetingId, userId))) throw new AppError('forbidden');
        const [polls, mine] = await Promise.all([listPolls(deps, meetingId), myPollStatus(deps, meetingId, userId)]);
        return { polls, mine };
      });

      // Warnings (差額) are for the host who asked; the room gets the poll without them.
      const created = (poll: PollDto) => {
        const { warnings: _, ...shared } = poll;
        io.to(meetingRoom(poll.meetingId)).emit('poll:state', { poll: shared });
        return { poll };
      };
      on('poll:create', pollCreatePayload, async (body) => created(await createPoll(deps, userId, body)));
      on('poll:runoff', pollRunoffPayload, async (body) => created(await createRunoff(deps, userId, body)));

      on('poll:open', pollOpenPayload, async (body) => {
        const poll = await openPoll(deps, userId, body);
        io.to(meetingRoom(poll.meetingId)).emit('poll:state', { poll });
        return { poll };
      });

      on('poll:close', pollClosePayload, async (body) => {
        const poll = await closePoll(deps, box, userId, body);
        turnout.cancel(poll.id);
        io.to(meetingRoom(poll.meetingId)).emit('poll:state', { poll });
        return { poll };
      });

      on('poll:vote', pollVotePayload, async (body) => ({
        receipt: await castVote(deps, box, userId, socket.data.sessionToken, body),
      }));

      // Owners' polls: the secretary enters paper ballots by unit; everyone sees the count go up.
      on('poll:units', pollUnitsPayload, async (body) => ({ units: await listPollUnits(deps, userId, body) }));
      on('poll:paper', pollPaperPayload, async (body) => {
        const entered = await enterPaperBallot(deps, userId, body, (poll) => sealOf(deps, poll));
        const poll = await dtoWithTurnout(deps, entered.poll);
        io.to(meetingRoom(poll.meetingId)).emit('poll:state', { poll });
        return { poll, receipt: entered.receipt, units: entered.units };
      });

      // The speaker queue: every change is broadcast whole (it is small and capped).
      const queueChanged = (queue: QueueDto) => {
        io.to(meetingRoom(queue.meetingId)).emit('queue:state', { queue });
        return { queue };
      };
      on('queue:list', queueMeetingPayload, async ({ meetingId }) => ({ queue: await listQueue(deps, userId, meetingId) }));
      on('queue:raise', queueRaisePayload, async (body) => queueChanged(await raiseHand(deps, userId, body)));
      on('queue:lower', queueLowerPayload, async (body) => queueChanged(await lowerHand(deps, userId, body)));
      on('queue:next', queueNextPayload, async (body) => queueChanged(await nextSpeaker(deps, userId, body)));
      on('queue:reorder', queueReorderPayload, async (body) => queueChanged(await reorderQueue(deps, userId, body)));

      // Draws by lot: the list and seed source announced first, the seed set once (RFC 3797).
      const drawChanged = (draw: DrawDto) => {
        io.to(meetingRoom(draw.meetingId)).emit('draw:state', { draw });
        return { draw };
      };
      on('draw:list', drawListPayload, async ({ meetingId }) => ({ draws: await listDraws(deps, userId, meetingId) }));
      on('draw:create', drawCreatePayload, async (body) => drawChanged(await createDraw(deps, userId, body)), {
        bytes: DRAW_LIMITS.createBytes,
        error: 'draw_too_large',
      });
      on('draw:seed', drawSeedPayload, async (body) => drawChanged(await seedDraw(deps, userId, body)));

      // Organisers watch a campaign's list live (apps/server/src/ideas/live.ts forwards its changes).
      on('campaign:watch', campaignWatchPayload, async ({ campaignId }) => {
        await requireCampaignAdmin(deps, socket.data.user, campaignId);
        await socket.join(campaignRoom(campaignId));
        return {};
      });
    });

    return {
      async close() {
        deps.events.off('roster', onRoster);
        deps.events.off('removed', onRemoved);
        deps.events.off('meeting', onMeeting);
        deps.events.off('followups', onFollowUps);
        deps.events.off('queue', onQueue);
        stopCampaignEvents();
        io.disconnectSockets(true);
        // Not io.close(): that would close the shared HTTP server, which createServer owns.
        io.engine.close();
        await box.close();
        await turnout.close();
      },
    };
  };
}

/** The production socket.io layer. */
export const socketLayer: LiveLayerFactory = createSocketLayer();
