import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda } from '@yishi/model';
import {
  guest,
  hostMeeting,
  liveClient,
  scaleEnvReady,
  startInstance,
  testRedisPrefix,
  type HttpClient,
  type Instance,
} from '../scale/testing.ts';
import { awarenessMessage, MESSAGE, SYNC } from '../yjs/protocol.ts';
import { connectPeer, waitFor } from '../yjs/testing.ts';
import { seededRandom } from './random.ts';

// 100,000 malformed or hostile inputs (websocket frames to /yjs, socket.io packets over raw
// engine.io websockets, HTTP bodies to every route); the server stays up, its memory stays
// bounded, and healthy clients keep working. Seeded: a failure reproduces with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const TOTAL = 100_000;

// The server shares this process with the fuzzing clients: measure after a full collection, so
// garbage the clients left behind is not mistaken for memory the server kept. What the server
// keeps shows in the live heap; RSS (clients included, and V8 keeps its grown heap) gets a looser bound.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const settledRss = async () => {
  await new Promise((r) => setTimeout(r, 200));
  collect();
  return process.memoryUsage();
};

if (scaleEnvReady(['DATABASE_URL'])) {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({ databaseUrl: database.url!, redisPrefix: testRedisPrefix() });
  });
  afterAll(async () => {
    await instance?.close();
    await database?.dispose();
  });

  describe('hostile input', () => {
    it(
      `${TOTAL} malformed inputs: the server stays up, memory bounded, healthy clients work (seed ${SEED})`,
      { timeout: 300_000 },
      async () => {
        const random = seededRandom(SEED);
        const int = (n: number) => Math.floor(random() * n);
        const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
        const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
        const randomJson = (depth = 0): unknown => {
          switch (int(depth > 4 ? 5 : 8)) {
            case 0:
              return int(2) ? null : random() * 1e12 - 5e11;
            case 1:
              return pick([
                '',
                'x'.repeat(int(5000)),
                '\u0000\ud800',
                '<script>',
                '議事',
                '__proto__',
              ]);
            case 2:
              return int(2) === 1;
            case 3:
              return { __proto__: { polluted: true }, constructor: { prototype: { bad: 1 } } };
            case 4:
              return pick([undefined, 'yes', 'no', -1, 1e308]);
            case 5:
              return Array.from({ length: int(6) }, () => randomJson(depth + 1));
            case 6:
              return Object.fromEntries(
                Array.from({ length: int(6) }, () => [
                  pick([
                    'pollId',
                    'meetingId',
                    'choice',
                    'code',
                    'name',
                    'username',
                    'password',
                    'kind',
                    'title',
                    'x',
                  ]),
                  randomJson(depth + 1),
                ]),
              );
            default: {
              // Deep nesting, as a parser bomb.
              let v: unknown = 1;
              for (let i = 0; i < 200 + int(2000); i++) v = [v];
              return v;
            }
          }
        };

        const { host, meetingId, joinCode } = await hostMeeting(instance.url);
        const guests: HttpClient[] = [];
        for (let i = 0; i < 6; i++) guests.push(await guest(instance.url, joinCode, `模糊${i}`));
        const healthyA = connectPeer(instance.wsUrl, meetingId, host.cookie);
        const healthyB = connectPeer(instance.wsUrl, meetingId, guests[0]!.cookie);
        await Promise.all([healthyA.synced, healthyB.synced]);
        const rssBefore = await settledRss();
        let sent = 0;

        // 1. /yjs: hostile but well-formed frames on long-lived sockets, and malformed ones that end their socket.
        const yjsSocket = (cookie: string) =>
          new Promise<WebSocket>((resolve) => {
            const ws = new WebSocket(`${instance.wsUrl}/yjs/${meetingId}`, { headers: { cookie } });
            ws.on('error', () => {});
            ws.once('open', () => resolve(ws));
            ws.once('close', () => resolve(ws));
          });
        const hostile = (): Uint8Array => {
          const e = encoding.createEncoder();
          switch (int(6)) {
            case 0: {
              // Awareness with random ids, clocks and (often oversized or non-object) states.
              const n = 1 + int(4);
              encoding.writeVarUint(e, n);
              for (let i = 0; i < n; i++) {
                encoding.writeVarUint(e, int(2 ** 31));
                encoding.writeVarUint(e, int(1000));
                encoding.writeVarString(
                  e,
                  JSON.stringify(int(3) ? randomJson() : 'x'.repeat(20_000)) ?? 'null',
                );
              }
              return awarenessMessage(encoding.toUint8Array(e));
            }
            case 1: {
              const doc = new Y.Doc();
              doc.getMap('meta').set('focus', int(2) ? null : 'x'.repeat(int(200)));
              const u = Y.encodeStateAsUpdate(doc);
              doc.destroy();
              encoding.writeVarUint(e, MESSAGE.sync);
              encoding.writeVarUint(e, SYNC.update);
              encoding.writeVarUint8Array(e, u);
              return encoding.toUint8Array(e);
            }
            case 2:
              encoding.writeVarUint(e, MESSAGE.queryAwareness);
              return encoding.toUint8Array(e);
            case 3: {
              encoding.writeVarUint(e, MESSAGE.sync);
              encoding.writeVarUint(e, SYNC.step1);
              const sv = encoding.createEncoder();
              encoding.writeVarUint(sv, 1);
              encoding.writeVarUint(sv, int(2 ** 31));
              encoding.writeVarUint(sv, int(10));
              encoding.writeVarUint8Array(e, encoding.toUint8Array(sv));
              return encoding.toUint8Array(e);
            }
            default: {
              // An empty update: valid, redundant, skipped.
              encoding.writeVarUint(e, MESSAGE.sync);
              encoding.writeVarUint(e, SYNC.update);
              encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(new Y.Doc()));
              return encoding.toUint8Array(e);
            }
          }
        };
        const malformed = (): Uint8Array | string => {
          switch (int(6)) {
            case 0:
              return bytes(1 + int(64));
            case 1:
              return Uint8Array.of(0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f); // oversized varint
            case 2:
              return Uint8Array.of(0, 1, 50, 1, 2); // truncated payload
            case 3:
              return Uint8Array.from([0, int(2) ? 1 : 2, 20, ...bytes(20)]); // a sync message, garbage update
            case 4:
              return 'not binary';
            default:
              return Uint8Array.of(9, 9, 9);
          }
        };
        const cookies = [host.cookie, ...guests.slice(1).map((g) => g.cookie)];
        const YJS_FRAMES = 60_000;
        const MALFORMED = 1_500;
        let yjsSent = 0;
        await Promise.all(
          cookies.map(async (cookie, lane) => {
            let ws = await yjsSocket(cookie);
            const share = Math.ceil(YJS_FRAMES / cookies.length);
            for (let i = 0; i < share; i++) {
              if (ws.readyState !== WebSocket.OPEN) ws = await yjsSocket(cookie);
              if (ws.readyState !== WebSocket.OPEN) continue;
              const bad = (i + lane) % Math.ceil(share / (MALFORMED / cookies.length)) === 0;
              ws.send(bad ? malformed() : hostile());
              yjsSent++;
              // Let the server read what we wrote (and close us) before writing more.
              if (i % 200 === 0 || bad) await new Promise((r) => setTimeout(r, bad ? 2 : 0));
            }
            ws.close();
          }),
        );
        sent += yjsSent;

        // 2. socket.io: raw engine.io frames over a websocket: wrong events, huge and deep payloads, missing acks, garbage.
        const ioSocket = (cookie: string) =>
          new Promise<WebSocket>((resolve) => {
            const ws = new WebSocket(`${instance.wsUrl}/socket.io/?EIO=4&transport=websocket`, {
              headers: { cookie },
            });
            ws.on('error', () => {});
            ws.on('message', (data) => {
              const text = data.toString();
              if (text.startsWith('0')) ws.send('40');
              else if (text === '2') ws.send('3');
              else if (text.startsWith('40')) resolve(ws);
            });
            ws.once('close', () => resolve(ws));
          });
        const events = [
          'poll:vote',
          'poll:create',
          'poll:open',
          'poll:close',
          'meeting:enter',
          'queue:raise',
          'nope',
          '__proto__',
          'constructor',
          '',
        ];
        const packet = (n: number): string => {
          switch (int(7)) {
            case 0:
              return `42${JSON.stringify([pick(events), randomJson()])}`; // no ack
            case 1:
              return `42${n}${JSON.stringify([pick(events), randomJson()])}`; // with ack
            case 2:
              return `42${n}${JSON.stringify([pick(events), { pollId: 'x'.repeat(int(100)), choice: randomJson() }])}`;
            case 3:
              return `42${JSON.stringify([pick(events), 'y'.repeat(70_000)])}`; // over maxHttpBufferSize
            case 4:
              return `4${int(10)}${String.fromCharCode(...bytes(int(30)))}`;
            case 5:
              return `42${n}["meeting:enter",{"meetingId":"${meetingId}"}]`;
            default:
              return pick(['', '9', '41', '42[', '42{}', '2', '6', `42${'['.repeat(5000)}`]);
          }
        };
        const IO_FRAMES = 28_000;
        let ioSent = 0;
        await Promise.all(
          cookies.map(async (cookie) => {
            let ws = await ioSocket(cookie);
            for (let i = 0; i < IO_FRAMES / cookies.length; i++) {
              if (ws.readyState !== WebSocket.OPEN) ws = await ioSocket(cookie);
              if (ws.readyState !== WebSocket.OPEN) continue;
              ws.send(packet(i));
              ioSent++;
              if (i % 100 === 0) await new Promise((r) => setTimeout(r, 0));
            }
            ws.close();
          }),
        );
        sent += ioSent;

        // 3. HTTP: random bodies to every route, with and without a session.
        const routes: [string, string][] = [
          ['POST', '/api/auth/signup'],
          ['POST', '/api/auth/login'],
          ['POST', '/api/auth/logout'],
          ['GET', '/api/me'],
          ['POST', '/api/communities'],
          ['POST', '/api/meetings'],
          ['GET', `/api/meetings/${meetingId}`],
          ['PATCH', `/api/meetings/${meetingId}`],
          ['POST', '/api/join'],
          ['GET', `/api/meetings/${meetingId}/participants`],
          ['PATCH', `/api/meetings/${meetingId}/participants/x`],
          ['GET', `/api/meetings/${meetingId}/minutes.md`],
          ['POST', `/api/meetings/${meetingId}/join-code`],
          ['GET', '/api/communities/x/follow-ups'],
          ['POST', '/api/nope'],
          ['GET', '/healthz'],
        ];
        // A session of its own: a fuzzed logout must not end the host's, which the checks below use.
        const httpCookie = guests[5]!.cookie;
        let httpSent = 0;
        const httpTotal = TOTAL - sent;
        let failures5xx = 0;
        const lanes = Array.from({ length: 16 }, async (_, lane) => {
          for (let i = lane; i < httpTotal; i += 16) {
            const [method, path] = pick(routes);
            const body =
              int(4) === 0 ? String.fromCharCode(...bytes(int(200))) : JSON.stringify(randomJson());
            const res = await fetch(`${instance.url}${path}`, {
              method,
              headers: {
                'content-type': pick([
                  'application/json',
                  'text/plain',
                  'application/x-www-form-urlencoded',
                ]),
                ...(int(2) ? { cookie: httpCookie } : {}),
              },
              body: method === 'GET' ? undefined : body,
            });
            const text = await res.text();
            if (res.status >= 500) failures5xx++;
            // Every error has the contract's shape.
            if (res.status >= 400 && !path.endsWith('.md'))
              expect(JSON.parse(text)).toMatchObject({
                error: { code: expect.any(String), message: expect.any(String) },
              });
            httpSent++;
          }
        });
        await Promise.all(lanes);
        sent += httpSent;

        expect(sent).toBeGreaterThanOrEqual(TOTAL);
        expect(failures5xx).toBe(0);
        // Still up, still healthy, memory bounded.
        expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
        const rssAfter = await settledRss();
        const MB = 1024 * 1024;
        expect(
          rssAfter.heapUsed - rssBefore.heapUsed,
          `live heap ${rssBefore.heapUsed} → ${rssAfter.heapUsed}`,
        ).toBeLessThan(50 * MB);
        expect(rssAfter.rss - rssBefore.rss, `rss ${rssBefore.rss} → ${rssAfter.rss}`).toBeLessThan(
          512 * MB,
        );
        createAgendaItem(healthyA.doc, { title: '風暴之後' });
        await waitFor(
          healthyB.doc,
          () => readAgenda(healthyB.doc).items.some((i) => i.title === '風暴之後'),
          'healthy clients still work',
        );
        const socket = await liveClient(instance.url, host.cookie, meetingId);
        const created = await socket.emitWithAck('poll:create', {
          meetingId,
          kind: 'motion',
          title: '仍然可以投票',
          secret: false,
        });
        expect(created.ok).toBe(true);
        socket.disconnect();
        healthyA.destroy();
        healthyB.destroy();
      },
    );
  });
}
