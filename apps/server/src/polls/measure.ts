/**
 * How long 500 voters who vote at the same moment wait for their acks (p50/p99), over real
 * socket.io clients against a listening server. Run from apps/server:
 *   npx tsx src/polls/measure.ts            (embedded PGlite)
 *   DATABASE_URL=postgres://… npx tsx src/polls/measure.ts
 */
import { io as connectClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@yishi/model';
import { createSocketLayer } from '../live/socket.ts';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost } from '../testing.ts';

const VOTERS = Number(process.env.VOTERS ?? 500);
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const ctx = await createTestContext();
const server = await listeningServer(ctx, [createSocketLayer()]);
try {
  const { host, meeting } = await meetingWithHost(ctx.app);
  const clients = [host.client];
  for (let i = 1; i < VOTERS; i++) clients.push((await joinedGuest(ctx.app, meeting.joinCode, `居民${i}`)).client);
  const sockets = await Promise.all(
    clients.map(
      (c) =>
        new Promise<Client>((resolve, reject) => {
          const s: Client = connectClient(server.url, { transports: ['websocket'], extraHeaders: { cookie: c.cookieHeader() }, reconnection: false, forceNew: true });
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        }),
    ),
  );
  const hostSocket = sockets[0]!;
  const created = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: '測量', secret: true });
  if (!created.ok) throw new Error(created.error.message);
  await hostSocket.emitWithAck('poll:open', { pollId: created.poll.id });

  const start = performance.now();
  const times = await Promise.all(
    sockets.map(async (s, i) => {
      const ack = await s.emitWithAck('poll:vote', { pollId: created.poll.id, choice: i % 3 ? 'yes' : 'no' });
      if (!ack.ok) throw new Error(ack.error.code);
      return performance.now() - start;
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!);
  const closed = await hostSocket.emitWithAck('poll:close', { pollId: created.poll.id });
  if (!closed.ok) throw new Error(closed.error.message);
  console.log(
    JSON.stringify({ driver: ctx.database.driver, voters: VOTERS, p50ms: at(0.5), p99ms: at(0.99), maxMs: at(1), ballots: closed.poll.result?.ballots }),
  );
  for (const s of sockets) s.disconnect();
} finally {
  await server.yishi.close();
  await ctx.dispose();
}
