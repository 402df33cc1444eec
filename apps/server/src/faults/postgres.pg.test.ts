import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { pollBallots } from '@yishi/db';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda } from '@yishi/model';
import {
  guest,
  hostMeeting,
  liveClient,
  scaleEnvReady,
  startInstance,
  tcpProxy,
  testRedisPrefix,
  type Instance,
  type LiveClient,
  type TcpProxy,
} from '../scale/testing.ts';
import { connectPeer, until, waitFor, type TestPeer } from '../yjs/testing.ts';

// Postgres "restarts" mid-meeting: the shared server is left alone; a proxy between the instance
// and Postgres drops every connection and refuses new ones, then lets them through again.
if (scaleEnvReady(['DATABASE_URL'])) {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let instance: Instance;
  const peers: TestPeer[] = [];
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url!);
    proxy = await tcpProxy(() => [{ host: target.hostname, port: Number(target.port || 5432) }]);
    const viaProxy = new URL(database.url!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    instance = await startInstance({
      databaseUrl: viaProxy.toString(),
      redisPrefix: testRedisPrefix(),
    });
  });
  afterAll(async () => {
    for (const p of peers) p.destroy();
    for (const s of sockets) s.disconnect();
    proxy?.restore();
    await instance?.close();
    await proxy?.close();
    await database?.dispose();
  });

  describe('Postgres unreachable mid-meeting', () => {
    it(
      'no false acknowledgements while it is gone; reconnects and resumes; clients catch up',
      { timeout: 60_000 },
      async () => {
        const { host, meetingId, joinCode } = await hostMeeting(instance.url);
        const voter = await guest(instance.url, joinCode, '周業主');
        const [writer, reader] = [
          connectPeer(instance.wsUrl, meetingId, host.cookie),
          connectPeer(instance.wsUrl, meetingId, voter.cookie),
        ];
        peers.push(writer, reader);
        await Promise.all([writer.synced, reader.synced]);
        const hostSocket = await liveClient(instance.url, host.cookie, meetingId);
        const voterSocket = await liveClient(instance.url, voter.cookie, meetingId);
        sockets.push(hostSocket, voterSocket);
        const created = await hostSocket.emitWithAck('poll:create', {
          meetingId,
          kind: 'motion',
          title: '公共收益使用',
          secret: true,
        });
        const pollId = (created as { poll: { id: string } }).poll.id;
        // Few voters: the host confirms that a small secret poll is fine.
        expect(
          await hostSocket.emitWithAck('poll:open', { pollId, confirmSmallGroup: true }),
        ).toMatchObject({ ok: true });
        const has = (p: TestPeer, t: string) => readAgenda(p.doc).items.some((i) => i.title === t);

        proxy.cut();
        const health = await fetch(`${instance.url}/healthz`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ ok: false });

        // A Yjs update cannot be stored: it is not broadcast, and the writer is told (closed, 4500).
        const failedBefore = instance.yjs.persistence.stats.failedAppends;
        createAgendaItem(writer.doc, { title: '停電時寫的' });
        await until(
          () => instance.yjs.persistence.stats.failedAppends > failedBefore,
          'the append failed',
        );
        await instance.yjs.rooms.get(meetingId)?.settled();
        expect(has(reader, '停電時寫的')).toBe(false);
        expect(
          readAgenda(instance.yjs.rooms.get(meetingId)!.doc).items.some(
            (i) => i.title === '停電時寫的',
          ),
        ).toBe(false);

        // A vote during the outage: an error, never {ok: true} without a durable row.
        const during = await voterSocket
          .timeout(20_000)
          .emitWithAck('poll:vote', { pollId, choice: 'yes' })
          .catch(() => null);
        if (during?.ok)
          throw new Error('a vote was acknowledged while the database was unreachable');

        proxy.restore();
        await until(
          async () => (await fetch(`${instance.url}/healthz`)).ok,
          'healthz ok again',
          30_000,
        );
        // The writer still had the edit and sends it again on reconnecting: everyone catches up.
        await waitFor(reader.doc, () => has(reader, '停電時寫的'), 'reader catches up', 30_000);
        const after = await voterSocket
          .timeout(10_000)
          .emitWithAck('poll:vote', { pollId, choice: 'yes' });
        expect(after.ok).toBe(true);
        const [ballots] = await database.db
          .select({ n: count() })
          .from(pollBallots)
          .where(eq(pollBallots.pollId, pollId));
        expect(ballots!.n).toBe(1);
        createAgendaItem(reader.doc, { title: '恢復後寫的' });
        await waitFor(writer.doc, () => has(writer, '恢復後寫的'), 'live again');
      },
    );
  });
}
