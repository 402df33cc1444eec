import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { pollBallots } from '@yishi/db';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda } from '@yishi/model';
import { readStoredState } from '../yjs/persistence.ts';
import { connectPeer, until, waitFor, type TestPeer } from '../yjs/testing.ts';
import {
  guest,
  hostMeeting,
  liveClient,
  scaleEnvReady,
  spawnServer,
  tcpProxy,
  testRedisPrefix,
  type LiveClient,
  type ServerProcess,
  type TcpProxy,
} from './testing.ts';

// Two server processes behind a tiny TCP load balancer; one is killed with SIGKILL mid-meeting.
// Its clients reconnect through the balancer to the survivor, and nothing acknowledged is lost.
if (scaleEnvReady()) {
  let database: TestDatabase;
  let servers: ServerProcess[] = [];
  let balancer: TcpProxy;
  const peers: TestPeer[] = [];
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url!,
      REDIS_URL: process.env.REDIS_URL!,
      REDIS_PREFIX: testRedisPrefix(),
    };
    servers = await Promise.all([spawnServer(env), spawnServer(env)]);
    balancer = await tcpProxy(() =>
      servers
        .filter((s) => s.proc.exitCode === null && s.proc.signalCode === null)
        .map((s) => ({ host: '127.0.0.1', port: s.port })),
    );
  }, 90_000);
  afterAll(async () => {
    for (const p of peers) p.destroy();
    for (const s of sockets) s.disconnect();
    await balancer?.close();
    await Promise.all(servers.map((s) => s.kill()));
    await database?.dispose();
  });

  describe('an instance killed mid-meeting', () => {
    it(
      'its clients reconnect to another instance; acknowledged edits and ballots survive',
      { timeout: 90_000 },
      async () => {
        const base = balancer.url('http');
        const wsBase = balancer.url('ws');
        const { host, meetingId, joinCode } = await hostMeeting(base);
        const voters = await Promise.all(
          Array.from({ length: 6 }, (_, i) => guest(base, joinCode, `業主${i}`)),
        );
        // The balancer alternates: these land on both instances.
        const editors = Array.from({ length: 4 }, () =>
          connectPeer(wsBase, meetingId, host.cookie),
        );
        peers.push(...editors);
        await Promise.all(editors.map((e) => e.synced));
        const hostSocket = await liveClient(base, host.cookie, meetingId, true);
        const voterSockets = await Promise.all(
          voters.map((v) => liveClient(base, v.cookie, meetingId, true)),
        );
        sockets.push(hostSocket, ...voterSockets);
        const created = await hostSocket.emitWithAck('poll:create', {
          meetingId,
          kind: 'motion',
          title: '物業費調整',
          secret: true,
        });
        const pollId = (created as { poll: { id: string } }).poll.id;
        expect((await hostSocket.emitWithAck('poll:open', { pollId })).ok).toBe(true);

        const has = (p: TestPeer, t: string) => readAgenda(p.doc).items.some((i) => i.title === t);
        // Acknowledged = seen by another client (durable before visible).
        const acked: string[] = [];
        for (let i = 0; i < 8; i++) {
          const title = `邊開會邊改${i}`;
          createAgendaItem(editors[i % 4]!.doc, { title });
          await waitFor(
            editors[(i + 1) % 4]!.doc,
            () => has(editors[(i + 1) % 4]!, title),
            'an edit seen by another client',
          );
          acked.push(title);
        }
        const votes = await Promise.all(
          voterSockets
            .slice(0, 3)
            .map((s) => s.emitWithAck('poll:vote', { pollId, choice: 'yes' })),
        );
        expect(votes.every((v) => v.ok)).toBe(true);

        await servers[0]!.kill('SIGKILL');
        // Clients of the dead instance come back through the balancer on the survivor.
        await until(
          () => editors.every((e) => e.provider.wsconnected && e.provider.synced),
          'editors reconnected',
          30_000,
        );
        await until(
          () => [hostSocket, ...voterSockets].every((s) => s.connected),
          'sockets reconnected',
          30_000,
        );
        for (const e of editors)
          await waitFor(
            e.doc,
            () => acked.every((t) => has(e, t)),
            'acked edits everywhere',
            20_000,
          );

        // Meeting goes on: edits, the remaining ballots, and the close on the survivor.
        createAgendaItem(editors[0]!.doc, { title: '換了伺服器' });
        for (const e of editors)
          await waitFor(e.doc, () => has(e, '換了伺服器'), 'post-failover edit', 20_000);
        const more = await Promise.all(
          voterSockets
            .slice(3)
            .map((s) => s.timeout(10_000).emitWithAck('poll:vote', { pollId, choice: 'no' })),
        );
        expect(more.every((v) => v.ok)).toBe(true);
        const closed = await hostSocket.timeout(10_000).emitWithAck('poll:close', { pollId });
        expect(closed).toMatchObject({
          ok: true,
          poll: { status: 'closed', result: { counts: { yes: 3, no: 3 } } },
        });
        const receipts = (closed as { poll: { receipts: string[] } }).poll.receipts;
        for (const v of [...votes, ...more])
          expect(receipts).toContain((v as { receipt: string }).receipt);
        expect(new Set(receipts).size).toBe(6);
        expect(
          (
            await database.db
              .select({ n: count() })
              .from(pollBallots)
              .where(eq(pollBallots.pollId, pollId))
          )[0]!.n,
        ).toBe(6);

        // The database has it all: a reader that never saw a client.
        const { doc } = await readStoredState(database.db, meetingId);
        for (const t of [...acked, '換了伺服器'])
          expect(readAgenda(doc).items.some((i) => i.title === t)).toBe(true);
        doc.destroy();
      },
    );
  });
}
