import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { pollBallots, pollVoters } from '@yishi/db';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { readAgenda } from '@yishi/model';
import {
  freePort,
  guest,
  hostMeeting,
  liveClient,
  scaleEnvReady,
  spawnServer,
  type HttpClient,
  type LiveClient,
  type ServerProcess,
} from '../scale/testing.ts';
import * as Y from 'yjs';
import { connectPeer, waitFor, type TestPeer } from '../yjs/testing.ts';
import { seededRandom } from './random.ts';

// The server process is killed (SIGKILL) at 20 random instants while editors type and voters vote.
// After every restart: each acknowledged edit and ballot is there, none twice.
const SEED = Number(process.env.FAULT_SEED ?? 20251121);
const ROUNDS = 20;

if (scaleEnvReady(['DATABASE_URL'])) {
  let database: TestDatabase;
  let server: ServerProcess | null = null;
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    env = { DATABASE_URL: database.url! };
  });
  afterAll(async () => {
    await server?.kill();
    await database?.dispose();
  });

  describe('kill -9 at random instants under a live meeting', () => {
    it(
      `${ROUNDS} crashes: acknowledged edits and ballots all present, none duplicated (seed ${SEED})`,
      { timeout: 240_000 },
      async () => {
        const random = seededRandom(SEED);
        server = await spawnServer(env, port);
        const { host, meetingId, joinCode } = await hostMeeting(server.url);
        const voters: HttpClient[] = [];
        for (let i = 0; i < ROUNDS * 3; i++)
          voters.push(await guest(server.url, joinCode, `住戶${i}`));
        const hostSocket = await liveClient(server.url, host.cookie, meetingId);
        const created = await hostSocket.emitWithAck('poll:create', {
          meetingId,
          kind: 'motion',
          title: '是否續聘物業',
          secret: true,
        });
        const pollId = (created as { poll: { id: string } }).poll.id;
        expect((await hostSocket.emitWithAck('poll:open', { pollId })).ok).toBe(true);
        hostSocket.disconnect();

        const ackedEdits = new Set<string>();
        const ackedReceipts = new Map<number, string>();
        // Not agenda items (capped at 200): a log array in the document's meta map (the server
        // refuses roots the meeting document does not have), made once before the crashes.
        const log = (doc: TestPeer['doc']) => {
          const array = doc.getMap('meta').get('faultlog');
          return array instanceof Y.Array ? (array as Y.Array<string>) : new Y.Array<string>();
        };
        {
          const wsUrl = `ws://127.0.0.1:${port}`;
          const maker = connectPeer(wsUrl, meetingId, host.cookie);
          await maker.synced;
          maker.doc.getMap('meta').set('faultlog', new Y.Array<string>());
          const reader = connectPeer(wsUrl, meetingId, host.cookie);
          await waitFor(reader.doc, () => reader.doc.getMap('meta').get('faultlog') instanceof Y.Array, 'the log array');
          maker.destroy();
          reader.destroy();
        }

        for (let round = 0; round < ROUNDS; round++) {
          const wsUrl = `ws://127.0.0.1:${port}`;
          const editors = [0, 1, 2].map(() => connectPeer(wsUrl, meetingId, host.cookie));
          const watcher = connectPeer(wsUrl, meetingId, host.cookie);
          await Promise.all([...editors, watcher].map((p) => p.synced));
          // Durable before visible: whatever the watcher sees is acknowledged.
          const seen = () => {
            for (const title of log(watcher.doc)) ackedEdits.add(title);
          };
          watcher.doc.on('update', seen);
          const roundVoters = voters.slice(round * 3, round * 3 + 3);
          const sockets: LiveClient[] = await Promise.all(
            roundVoters.map((v) => liveClient(server!.url, v.cookie, meetingId)),
          );

          let typing = true;
          const typists = editors.map(async (e, i) => {
            for (let n = 0; typing; n++) {
              log(e.doc).push([`r${round}-e${i}-${n}`]);
              await new Promise((r) => setTimeout(r, 5 + Math.floor(random() * 10)));
            }
          });
          sockets.forEach((s, i) => {
            const voter = round * 3 + i;
            setTimeout(
              () => {
                s.emit('poll:vote', { pollId, choice: 'yes' }, (ack) => {
                  if (ack.ok) ackedReceipts.set(voter, ack.receipt);
                });
              },
              Math.floor(random() * 150),
            );
          });

          // The crash: somewhere in the first 300 ms of load.
          await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 280)));
          await server!.kill('SIGKILL');
          typing = false;
          await Promise.all(typists);
          // Only the server's copy counts: the clients must not bring anything back.
          for (const p of [...editors, watcher]) p.destroy();
          for (const s of sockets) s.disconnect();

          server = await spawnServer(env, port);
          const checker = connectPeer(wsUrl, meetingId, host.cookie);
          await checker.synced;
          const stored = new Set(log(checker.doc).toArray());
          const missing = [...ackedEdits].filter((t) => !stored.has(t));
          expect(missing, `round ${round}: acknowledged edits lost`).toEqual([]);
          expect(log(checker.doc).length, `round ${round}: an edit twice`).toBe(stored.size);
          // The seeded agenda is there once, whatever the crashes did to loading.
          expect(readAgenda(checker.doc).items).toHaveLength(4);
          checker.destroy();

          // Ballots: one per mark after the restart's reconciliation, every acked voter among them.
          const [ballots] = await database.db
            .select({ n: count() })
            .from(pollBallots)
            .where(eq(pollBallots.pollId, pollId));
          const marks = await database.db
            .select({ userId: pollVoters.userId })
            .from(pollVoters)
            .where(eq(pollVoters.pollId, pollId));
          expect(ballots!.n, `round ${round}: ballots vs marks`).toBe(marks.length);
          expect(marks.length).toBeGreaterThanOrEqual(ackedReceipts.size);
        }

        const hostAgain = await liveClient(server.url, host.cookie, meetingId);
        const closed = await hostAgain.emitWithAck('poll:close', { pollId });
        hostAgain.disconnect();
        expect(closed.ok).toBe(true);
        const receipts = (closed as { poll: { receipts: string[] } }).poll.receipts;
        expect(new Set(receipts).size).toBe(receipts.length);
        for (const receipt of ackedReceipts.values()) expect(receipts).toContain(receipt);
        // Every ballot in the box came from a distinct voter, and no acked vote is missing.
        expect(receipts.length).toBeGreaterThanOrEqual(ackedReceipts.size);
        expect(receipts.length).toBeLessThanOrEqual(ROUNDS * 3);
        expect(ackedEdits.size).toBeGreaterThan(ROUNDS);
      },
    );
  });
}
