import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { docUpdates, pollBallots, pollVoters } from '@yishi/db';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda, YJS_CLOSE } from '@yishi/model';
import { connectPeer, until, waitFor, type TestPeer } from '../yjs/testing.ts';
import {
  guest,
  hostMeeting,
  liveClient,
  pollStates,
  scaleEnvReady,
  startInstance,
  testRedisPrefix,
  type Instance,
  type LiveClient,
} from './testing.ts';

// Three instances in this process over one Postgres database and one Redis (own prefix), each
// with its own pool, Redis connections and live layers, as three `main.ts` processes would be.
if (scaleEnvReady()) {
  let database: TestDatabase;
  let instances: Instance[] = [];
  const peers: TestPeer[] = [];
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const prefix = testRedisPrefix();
    instances = await Promise.all(
      [0, 1, 2].map(() =>
        startInstance({
          databaseUrl: database.url!,
          redisUrl: process.env.REDIS_URL!,
          redisPrefix: prefix,
          // Small enough that every instance compacts during the test.
          yjs: { compactAfterUpdates: 10 },
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
    for (const s of sockets) s.disconnect();
    await Promise.all(instances.map((i) => i.close()));
    await database?.dispose();
  });

  describe('several instances on Postgres + Redis', () => {
    it('logging out on one instance closes that session’s live connections on the others', async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const { host, meetingId } = await hostMeeting(a.url);
      const onB = connectPeer(b.wsUrl, meetingId, host.cookie);
      peers.push(onB);
      await onB.synced;
      const socket = await liveClient(c.url, host.cookie, meetingId);
      sockets.push(socket);
      const disconnected = new Promise<string>((done) => socket.once('disconnect', done));
      expect((await host.post('/api/auth/logout')).status).toBe(204);
      expect((await onB.closed).code).toBe(YJS_CLOSE.unauthenticated);
      expect(await disconnected).toBe('io server disconnect');
    });

    it('clients on different instances converge on one document, awareness included', async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const { host, meetingId, joinCode } = await hostMeeting(a.url);
      const w = await guest(b.url, joinCode, '王樓長');
      const z = await guest(c.url, joinCode, '趙業主');
      const onA = connectPeer(a.wsUrl, meetingId, host.cookie);
      const onB = connectPeer(b.wsUrl, meetingId, w.cookie);
      const onC = connectPeer(c.wsUrl, meetingId, z.cookie);
      peers.push(onA, onB, onC);
      await Promise.all([onA.synced, onB.synced, onC.synced]);

      createAgendaItem(onA.doc, { title: '電梯加裝' });
      createAgendaItem(onB.doc, { title: '垃圾分類' });
      createAgendaItem(onC.doc, { title: '停車位' });
      const titles = (p: TestPeer) =>
        readAgenda(p.doc)
          .items.map((i) => i.title)
          .sort();
      for (const p of [onA, onB, onC]) {
        await waitFor(
          p.doc,
          () => ['停車位', '垃圾分類', '電梯加裝'].every((t) => titles(p).includes(t)),
          'all three edits',
        );
      }
      expect(titles(onA)).toEqual(titles(onB));
      expect(titles(onB)).toEqual(titles(onC));
      // Each instance stored only what its own client sent: nobody stores a relayed update again.
      const rows = await database.db
        .select({ n: count() })
        .from(docUpdates)
        .where(eq(docUpdates.meetingId, meetingId));
      const appended = instances.reduce((n, i) => n + i.yjs.persistence.stats.appendedUpdates, 0);
      expect(rows[0]!.n).toBeLessThanOrEqual(appended + 1);
      expect(instances.every((i) => i.yjs.relay!.stats.appliedUpdates > 0)).toBe(true);

      onB.provider.awareness.setLocalStateField('user', { name: '王樓長' });
      await until(
        () =>
          [...onA.provider.awareness.getStates().values()].some(
            (s) => (s.user as { name?: string } | undefined)?.name === '王樓長',
          ),
        'awareness from instance b on instance a',
      );
      // A client on instance c cannot take over the id that instance b's client owns.
      const stolen = onB.provider.awareness.clientID;
      const hostile = connectPeer(c.wsUrl, meetingId, z.cookie);
      peers.push(hostile);
      await hostile.synced;
      hostile.provider.awareness.clientID = stolen;
      hostile.provider.awareness.setLocalState({ user: { name: '冒名者' } });
      onB.provider.awareness.setLocalStateField('user', { name: '王樓長', typing: true });
      await until(
        () =>
          (onA.provider.awareness.getStates().get(stolen)?.user as { typing?: boolean } | undefined)
            ?.typing === true,
        'the owner keeps its id',
      );
      expect((onA.provider.awareness.getStates().get(stolen)?.user as { name: string }).name).toBe(
        '王樓長',
      );
    });

    it('poll state and turnout reach every instance; one ballot per voter across instances; results once', async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const { host, meetingId, joinCode } = await hostMeeting(a.url);
      const voters = await Promise.all(
        ['甲', '乙', '丙', '丁'].map((n, i) => guest(instances[i % 3]!.url, joinCode, n)),
      );
      const hostOnA = await liveClient(a.url, host.cookie, meetingId);
      const hostOnC = await liveClient(c.url, host.cookie, meetingId);
      const voterSockets = await Promise.all(
        voters.map((v, i) => liveClient(instances[i % 3]!.url, v.cookie, meetingId)),
      );
      // The same first voter, also on another instance (a second tablet).
      const twinOnB = await liveClient(b.url, voters[0]!.cookie, meetingId);
      sockets.push(hostOnA, hostOnC, twinOnB, ...voterSockets);
      const seen = voterSockets.map(pollStates);

      const created = await hostOnA.emitWithAck('poll:create', {
        meetingId,
        kind: 'motion',
        title: '是否同意加裝電梯',
        secret: true,
      });
      expect(created.ok).toBe(true);
      const pollId = (created as { poll: { id: string } }).poll.id;
      expect((await hostOnA.emitWithAck('poll:open', { pollId })).ok).toBe(true);
      await until(
        () => seen.every((s) => s.some((p) => p.id === pollId && p.status === 'open')),
        'open state everywhere',
      );

      // The same voter on two instances at once: one ballot.
      const [first, second] = await Promise.all([
        voterSockets[0]!.emitWithAck('poll:vote', { pollId, choice: 'yes' }),
        twinOnB.emitWithAck('poll:vote', { pollId, choice: 'yes' }),
      ]);
      const oks = [first, second].filter((r) => r.ok);
      expect(oks.length).toBeGreaterThanOrEqual(1);
      // The loser hears that the ballot is in (or still being written by the other instance).
      for (const r of [first, second])
        if (!r.ok) expect(['already_voted', 'vote_pending']).toContain(r.error.code);
      const receipts = new Set(oks.map((r) => (r as { receipt: string }).receipt));
      expect(receipts.size).toBe(1);

      const rest = await Promise.all(
        voterSockets
          .slice(1)
          .map((s, i) => s.emitWithAck('poll:vote', { pollId, choice: i % 2 ? 'no' : 'yes' })),
      );
      expect(rest.every((r) => r.ok)).toBe(true);
      // Turnout reaches clients on every instance (voters on a, b and c).
      await until(
        () => seen.every((s) => s.some((p) => p.id === pollId && p.turnout.voted === 4)),
        'turnout 4 everywhere',
      );
      const ballots = await database.db
        .select({ n: count() })
        .from(pollBallots)
        .where(eq(pollBallots.pollId, pollId));
      const marks = await database.db
        .select({ n: count() })
        .from(pollVoters)
        .where(eq(pollVoters.pollId, pollId));
      expect([ballots[0]!.n, marks[0]!.n]).toEqual([4, 4]);

      // The host closes on two instances at once: the result is computed once.
      const closes = await Promise.all([
        hostOnA.emitWithAck('poll:close', { pollId }),
        hostOnC.emitWithAck('poll:close', { pollId }),
      ]);
      expect(closes.filter((r) => r.ok)).toHaveLength(1);
      expect(closes.find((r) => !r.ok)).toMatchObject({
        ok: false,
        error: { code: 'poll_not_open' },
      });
      await until(
        () => seen.every((s) => s.some((p) => p.id === pollId && p.status === 'closed')),
        'result everywhere',
      );
      const results = seen.map((s) => s.find((p) => p.id === pollId && p.status === 'closed')!);
      for (const r of results) {
        expect(r.result).toEqual(results[0]!.result);
        expect(r.receipts).toHaveLength(4);
      }
      expect(results[0]!.result).toMatchObject({ counts: { yes: 3, no: 1, abstain: 0 } });
    });

    it('ending a meeting on one instance makes its document read-only for participants on every instance', async () => {
      const [a, b] = instances as [Instance, Instance];
      const { host, meetingId, joinCode } = await hostMeeting(a.url);
      const w = await guest(b.url, joinCode, '吳樓長');
      const onA = connectPeer(a.wsUrl, meetingId, host.cookie);
      const onB = connectPeer(b.wsUrl, meetingId, w.cookie);
      peers.push(onA, onB);
      await Promise.all([onA.synced, onB.synced]);
      expect((await host.patch(`/api/meetings/${meetingId}`, { status: 'closed' })).status).toBe(
        200,
      );
      await until(
        () => b.yjs.rooms.get(meetingId)?.status === 'closed',
        'instance b learns the meeting is closed',
      );
      // The participant on b is told its rights changed, reconnects read-only, and a write is refused.
      await until(() => onB.closes.some((c) => c.code === YJS_CLOSE.rightsChanged), 'rights changed on b');
      await until(() => onB.provider.synced && onB.provider.wsconnected, 'reconnected on b');
      const dropped = b.yjs.stats.droppedUpdates;
      createAgendaItem(onB.doc, { title: '散會以後' });
      expect(await onB.closed).toMatchObject({ code: YJS_CLOSE.readOnly });
      expect(b.yjs.stats.droppedUpdates).toBe(dropped + 1);
      const has = (doc: TestPeer['doc']) =>
        readAgenda(doc).items.some((i) => i.title === '散會以後');
      expect(has(b.yjs.rooms.get(meetingId)!.doc)).toBe(false);
      expect(has(onA.doc)).toBe(false);
    });

    it('compaction runs on every instance and merges each logged update exactly once', async () => {
      const { host, meetingId, joinCode } = await hostMeeting(instances[0]!.url);
      const w = await guest(instances[1]!.url, joinCode, '錢樓長');
      const before = instances.map((i) => i.yjs.persistence.stats.mergedUpdates);
      const appendedBefore = instances.reduce(
        (n, i) => n + i.yjs.persistence.stats.appendedUpdates,
        0,
      );
      const editors = instances.map((inst, i) =>
        connectPeer(inst.wsUrl, meetingId, i === 1 ? w.cookie : host.cookie),
      );
      peers.push(...editors);
      await Promise.all(editors.map((e) => e.synced));
      for (let round = 0; round < 25; round++) {
        editors.forEach((e, i) => createAgendaItem(e.doc, { title: `i${i}-r${round}` }));
        await new Promise((r) => setImmediate(r));
      }
      const expected = editors.flatMap((_, i) =>
        Array.from({ length: 25 }, (_, r) => `i${i}-r${r}`),
      );
      for (const e of editors) {
        await waitFor(
          e.doc,
          () => expected.every((t) => readAgenda(e.doc).items.some((x) => x.title === t)),
          'all edits everywhere',
          30_000,
        );
      }
      for (const inst of instances) await inst.yjs.rooms.get(meetingId)?.settled();
      // Compactions from all three raced under the advisory lock; then a last one on each.
      await Promise.all(instances.map((i) => i.yjs.rooms.get(meetingId)!.compact()));
      const merged = instances.map((i, n) => i.yjs.persistence.stats.mergedUpdates - before[n]!);
      const appended =
        instances.reduce((n, i) => n + i.yjs.persistence.stats.appendedUpdates, 0) - appendedBefore;
      const left = await database.db
        .select({ n: count() })
        .from(docUpdates)
        .where(eq(docUpdates.meetingId, meetingId));
      // Every row (appended + the one seed) merged exactly once or still in the log.
      expect(merged.reduce((x, y) => x + y, 0) + left[0]!.n).toBe(appended + 1);
      expect(left[0]!.n).toBe(0);
      // Which instance merges what depends on who wins the advisory lock; the sum above shows that
      // nothing was merged twice.

      const stored = await instances[2]!.yjs.persistence.read(meetingId);
      expect(expected.every((t) => readAgenda(stored).items.some((x) => x.title === t))).toBe(true);
      stored.destroy();
    });
  });
}
