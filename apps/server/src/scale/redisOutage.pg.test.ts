import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda } from '@yishi/model';
import { connectPeer, until, waitFor, type TestPeer } from '../yjs/testing.ts';
import {
  guest,
  hostMeeting,
  scaleEnvReady,
  startInstance,
  tcpProxy,
  testRedisPrefix,
  type Instance,
  type TcpProxy,
} from './testing.ts';

// Redis behind a proxy the test cuts and restores: the instances keep serving their own clients,
// say so in /healthz, and re-converge from the database once Redis is back.
if (scaleEnvReady()) {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let instances: Instance[] = [];
  const peers: TestPeer[] = [];

  const health = async (i: Instance) =>
    (await fetch(`${i.url}/healthz`)).json() as Promise<{ ok: boolean; redis?: string }>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const redis = new URL(process.env.REDIS_URL!);
    proxy = await tcpProxy(() => [{ host: redis.hostname, port: Number(redis.port || 6379) }]);
    const prefix = testRedisPrefix();
    const url = new URL(process.env.REDIS_URL!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    instances = await Promise.all(
      [0, 1].map(() =>
        startInstance({
          databaseUrl: database.url!,
          redisUrl: url.toString(),
          redisPrefix: prefix,
        }),
      ),
    );
    await until(
      () => instances.every((i) => i.deps.redis!.status() === 'up'),
      'redis up everywhere',
    );
  });
  afterAll(async () => {
    for (const p of peers) p.destroy();
    await Promise.all(instances.map((i) => i.close()));
    await proxy?.close();
    await database?.dispose();
  });

  describe('Redis unavailable', () => {
    it('instances keep serving their own clients, report it, and re-converge when Redis returns', async () => {
      const [a, b] = instances as [Instance, Instance];
      const { host, meetingId, joinCode } = await hostMeeting(a.url);
      const w = await guest(b.url, joinCode, '孫樓長');
      const [a1, a2, b1, b2] = [
        connectPeer(a.wsUrl, meetingId, host.cookie),
        connectPeer(a.wsUrl, meetingId, host.cookie),
        connectPeer(b.wsUrl, meetingId, w.cookie),
        connectPeer(b.wsUrl, meetingId, w.cookie),
      ];
      peers.push(a1, a2, b1, b2);
      await Promise.all(peers.map((p) => p.synced));
      const has = (p: TestPeer, title: string) =>
        readAgenda(p.doc).items.some((i) => i.title === title);
      createAgendaItem(a1.doc, { title: '斷線之前' });
      await waitFor(b2.doc, () => has(b2, '斷線之前'), 'relay before the outage');
      expect(await health(a)).toMatchObject({ ok: true, database: 'postgres', redis: 'up' });

      proxy.cut();
      await until(
        async () => (await health(a)).redis === 'down' && (await health(b)).redis === 'down',
        'healthz says redis down',
      );
      const res = await fetch(`${b.url}/healthz`);
      expect(res.status).toBe(200);

      // Local edits keep flowing between clients of the same instance.
      createAgendaItem(a1.doc, { title: 'A在斷線時' });
      createAgendaItem(b1.doc, { title: 'B在斷線時' });
      await waitFor(a2.doc, () => has(a2, 'A在斷線時'), 'local edit on a');
      await waitFor(b2.doc, () => has(b2, 'B在斷線時'), 'local edit on b');
      // Both are stored before they are shown; neither instance could tell the other.
      await Promise.all(instances.map((i) => i.yjs.rooms.get(meetingId)!.settled()));
      expect(has(a2, 'B在斷線時')).toBe(false);
      expect(has(b2, 'A在斷線時')).toBe(false);

      proxy.restore();
      await until(
        async () => (await health(a)).redis === 'up' && (await health(b)).redis === 'up',
        'healthz says redis up',
        20_000,
      );
      for (const p of [a1, a2, b1, b2]) {
        await waitFor(
          p.doc,
          () => ['斷線之前', 'A在斷線時', 'B在斷線時'].every((t) => has(p, t)),
          're-converged',
          20_000,
        );
      }
      // And live relaying works again.
      createAgendaItem(b2.doc, { title: '恢復之後' });
      await waitFor(a1.doc, () => has(a1, '恢復之後'), 'relay after the outage');
      expect(instances.every((i) => i.yjs.relay!.stats.resyncs >= 1)).toBe(true);
    });
  });
}
