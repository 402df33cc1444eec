import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { createTestDatabase, testDriver, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda, YJS_CLOSE } from '@yishi/model';
import { guest, hostMeeting, HttpClient, liveClient, spawnServer, type LiveClient, type ServerProcess } from '../scale/testing.ts';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { connectPeer, forgedDelete, rawSocket, until, waitFor, type TestPeer } from '../yjs/testing.ts';
import { awarenessMessage, MESSAGE, SYNC } from '../yjs/protocol.ts';
import { seededRandom } from './random.ts';

/*
 * The outside probe's attacks, and more, against a real server process (the production bundle under
 * `pnpm test`), on PGlite and on PostgreSQL. After every case: the process is alive, /healthz
 * answers, and two honest clients still converge. At the end the server restarts and the meeting
 * still loads.
 */

let server: ServerProcess;
let database: TestDatabase | null = null;
let dataDir: string;
let env: Record<string, string>;
const peers: TestPeer[] = [];
const sockets: LiveClient[] = [];
let meeting: { host: HttpClient; meetingId: string; joinCode: string };

beforeAll(async () => {
  process.setMaxListeners(200);
  dataDir = mkdtempSync(join(tmpdir(), 'yishi-hostile-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  env = { DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', REDIS_URL: '', TRUST_PROXY: 'true' };
  server = await spawnServer(env);
  meeting = await hostMeeting(server.url);
}, 60_000);
afterAll(async () => {
  for (const p of peers) p.destroy();
  for (const s of sockets) s.disconnect();
  await server?.kill('SIGTERM');
  await database?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

const wsUrl = () => server.url.replace('http', 'ws');

/** The process is alive, healthy, and two honest clients still converge on a new edit. */
async function stillServing(label: string): Promise<void> {
  expect(server.proc.exitCode, `${label}: the server exited: ${server.stderr()}`).toBeNull();
  expect((await fetch(`${server.url}/healthz`)).status, label).toBe(200);
  const a = connectPeer(wsUrl(), meeting.meetingId, meeting.host.cookie);
  const w = await guest(server.url, meeting.joinCode, '王楼长');
  const b = connectPeer(wsUrl(), meeting.meetingId, w.cookie);
  peers.push(a, b);
  await Promise.all([a.synced, b.synced]);
  const title = `${label} ${Math.random().toString(36).slice(2, 8)}`;
  createAgendaItem(a.doc, { title });
  await waitFor(b.doc, () => readAgenda(b.doc).items.some((i) => i.title === title), `${label}: convergence`);
  a.destroy();
  b.destroy();
}

/** Sends raw bytes as an HTTP request and answers the status line (or the error). */
function rawHttp(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(server.port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', () => resolve('socket error'));
    socket.setTimeout(2000, () => socket.destroy());
  });
}

const BAD_COOKIES = [
  'yishi_session=%ZZ',
  'PARAGLIDE_LOCALE=%ZZ',
  'yishi_session=%E4%BD; PARAGLIDE_LOCALE=%',
  'yishi_session="%"; =; ;;; a=%%%',
  `yishi_session=${'%'.repeat(4000)}`,
  'PARAGLIDE_LOCALE=zh-TW; PARAGLIDE_LOCALE=%ZZ',
];

const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
/** Per database: PGlite and PostgreSQL together send 2 × this, the bench's flood adds its own. */
const FUZZ_FRAMES = Number(process.env.FUZZ_FRAMES ?? 50_000);

function syncFrame(sub: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE.sync);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

/** An update nesting `depth` XML elements in a new agenda item's notes (the probe's poison). */
function deepUpdate(depth: number): Uint8Array {
  const doc = new Y.Doc();
  const fragment = new Y.XmlFragment();
  const item = new Y.Map<unknown>();
  item.set('id', `deep-${depth}`);
  item.set('notes', fragment);
  doc.getArray('agenda').push([item]);
  doc.transact(() => {
    let parent: Y.XmlFragment | Y.XmlElement = fragment;
    for (let i = 0; i < depth; i++) {
      const child = new Y.XmlElement('p');
      parent.insert(0, [child]);
      parent = child;
    }
  });
  return Y.encodeStateAsUpdate(doc);
}

/** An awareness update with one entry. */
function presence(clientId: number, state: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, clientId);
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, state);
  return encoding.toUint8Array(e);
}

describe(`hostile input against a running server (${testDriver})`, () => {
  it('malformed cookies on HTTP, the socket.io handshake (polling and websocket) and /yjs get refusals, never a crash', async () => {
    for (const cookie of BAD_COOKIES) {
      const me = await fetch(`${server.url}/api/me`, { headers: { cookie } });
      expect(me.status).toBe(401);
      expect(((await me.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
      const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie } });
      expect([400, 403]).toContain(polling.status);
      await polling.arrayBuffer();
      const refused = await new Promise<string>((resolve) => {
        const socket = connectClient(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
        socket.once('connect', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.once('connect_error', (error) => resolve(error.message));
      });
      expect(refused).not.toBe('connected');
      const yjs = rawSocket(wsUrl(), meeting.meetingId, cookie);
      expect((await yjs.closed).code).toBe(YJS_CLOSE.unauthenticated);
    }
    // A signed-in socket with a broken language cookie: it connects and speaks Chinese.
    const signedIn = await liveClient(server.url, `${meeting.host.cookie}; PARAGLIDE_LOCALE=%ZZ`, meeting.meetingId);
    sockets.push(signedIn);
    const bad = await signedIn.emitWithAck('poll:open', { pollId: 'nope' });
    expect(bad.ok).toBe(false);
    await stillServing('cookies');
  });

  it('garbage headers and request lines get a 4xx and close only that connection', async () => {
    const answers = await Promise.all([
      rawHttp('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ::ffff:%%%, not-an-ip\r\n\r\n'),
      rawHttp('GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: \u00ff\u00fe=\u0000\r\n\r\n'),
      rawHttp('POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"co'),
      rawHttp('GET /yjs/%ZZ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'),
      rawHttp('\u0001\u0002\u0003 garbage\r\n\r\n'),
      rawHttp(`GET /api/me HTTP/1.1\r\nHost: x\r\nOrigin: ${'a'.repeat(8000)}\r\n\r\n`),
    ]);
    // 101: an upgrade without a session is accepted only to be closed with 4401 at once.
    for (const status of answers) expect(status, status).toMatch(/^HTTP\/1\.1 (101|[24]\d\d)|^$|socket error/);
    // A foreign Origin on a post, and Origins that differ only in scheme or port.
    for (const origin of ['https://evil.example', server.url.replace('http:', 'https:'), server.url.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`)]) {
      const res = await fetch(`${server.url}/api/join`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ code: meeting.joinCode, name: 'x', affiliation: 'other' }) });
      expect(res.status, origin).toBe(403);
    }
    await stillServing('headers');
  });

  it('an oversized body is a 413 that closes the connection; the next request of that client works', async () => {
    const status = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const body = JSON.stringify({ code: 'x'.repeat(2 * 1024 * 1024), name: 'x', affiliation: 'other' });
      const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/join', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toEqual({ status: 413, connection: 'close' });
    await stillServing('413');
  });

  it('a socket.io flood is answered per socket, then disconnected; others keep voting and reading', async () => {
    const flooder = await liveClient(server.url, meeting.host.cookie, meeting.meetingId);
    sockets.push(flooder);
    const w = await guest(server.url, meeting.joinCode, '赵业主');
    const calm = await liveClient(server.url, w.cookie, meeting.meetingId);
    sockets.push(calm);
    const gone = new Promise<string>((resolve) => flooder.once('disconnect', resolve));
    for (let i = 0; i < 3000; i++) flooder.emit('poll:list', { meetingId: meeting.meetingId }, () => {});
    expect(await gone).toBe('io server disconnect');
    const answer = await calm.timeout(10_000).emitWithAck('poll:list', { meetingId: meeting.meetingId });
    expect(answer.ok).toBe(true);
    await stillServing('socket.io flood');
  });

  it('concurrent wrong join codes and passwords from one address: only a handful are evaluated', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${server.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.200' }, body: JSON.stringify({ code: 'ABCDEFGHJ', name: `猜${i}`, affiliation: 'other' }) }),
      ),
    );
    expect(guesses.filter((r) => r.status === 404).length).toBeLessThanOrEqual(50);
    expect(guesses.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(150);
    // That address now waits (at most a minute); another address is not affected.
    const right = await fetch(`${server.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.201' }, body: JSON.stringify({ code: meeting.joinCode, name: '晚到', affiliation: 'resident' }) });
    expect(right.status).toBe(200);
    await stillServing('throttle races');
  });

  it('logging out closes that session’s live sockets at once', async () => {
    const { host, meetingId } = await hostMeeting(server.url);
    const peer = connectPeer(wsUrl(), meetingId, host.cookie);
    peers.push(peer);
    await peer.synced;
    const socket = await liveClient(server.url, host.cookie, meetingId);
    sockets.push(socket);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await host.post('/api/auth/logout')).status).toBe(204);
    expect((await peer.closed).code).toBe(YJS_CLOSE.unauthenticated);
    expect(await disconnected).toBe('io server disconnect');
    await stillServing('logout');
  });

  it('a 6,000-deep tree and a delete of another client’s future clocks are refused with 4400; nothing is stored; the minutes answer', async () => {
    const honest = connectPeer(wsUrl(), meeting.meetingId, meeting.host.cookie);
    peers.push(honest);
    await honest.synced;
    createAgendaItem(honest.doc, { title: '受害者的议题' });
    const victim = honest.doc.clientID;
    const w = await guest(server.url, meeting.joinCode, '恶意住户');
    for (const [update, reason] of [
      [deepUpdate(6000), /nesting deeper than 64/],
      [forgedDelete(victim, 0, 2 ** 53 - 1), /past known clocks/],
    ] as const) {
      const raw = rawSocket(wsUrl(), meeting.meetingId, w.cookie);
      await raw.opened;
      raw.ws.send(syncFrame(SYNC.update, update));
      const closed = await raw.closed;
      expect(closed.code).toBe(YJS_CLOSE.invalidMessage);
      expect(closed.reason).toMatch(reason);
    }
    // The victim keeps editing, and everyone sees it.
    createAgendaItem(honest.doc, { title: '之后仍然可见' });
    const reader = connectPeer(wsUrl(), meeting.meetingId, w.cookie);
    peers.push(reader);
    await waitFor(reader.doc, () => readAgenda(reader.doc).items.some((i) => i.title === '之后仍然可见'), 'the victim’s next edit');
    reader.destroy();
    await stillServing('poison');
    for (const path of ['minutes', 'minutes.md', 'minutes.docx']) {
      const res = await fetch(`${server.url}/api/meetings/${meeting.meetingId}/${path}`, { headers: { cookie: meeting.host.cookie } });
      expect(res.status, path).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      if (path === 'minutes.md') expect(body.toString()).toContain('之后仍然可见');
    }
    honest.destroy();
  });

  it('an awareness-query flood gets a handful of answers, not the room’s presence thousands of times', async () => {
    const raw = rawSocket(wsUrl(), meeting.meetingId, meeting.host.cookie);
    await raw.opened;
    await new Promise((r) => setTimeout(r, 200));
    const before = raw.messages.length;
    for (let i = 0; i < 2000; i++) raw.ws.send(new Uint8Array([MESSAGE.queryAwareness]));
    // A ping after the flood: its answer comes after every query was handled.
    raw.ws.send(syncFrame(SYNC.step1, Y.encodeStateVector(new Y.Doc())));
    await until(() => raw.messages.slice(before).some((m) => m[0] === MESSAGE.sync), 'answer to the last message');
    const answers = raw.messages.slice(before).filter((m) => m[0] === MESSAGE.awareness).length;
    expect(answers).toBeLessThanOrEqual(10);
    // Oversized presence from many client ids is capped too; the connection stays usable.
    for (let i = 0; i < 50; i++) raw.ws.send(awarenessMessage(presence(1000 + i, 'x'.repeat(7000))));
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    raw.ws.close();
    await stillServing('awareness flood');
  });

  it(`${FUZZ_FRAMES} random /yjs frames: no crash, the server process’s memory stays bounded (seed ${FUZZ_SEED})`, async () => {
    const random = seededRandom(FUZZ_SEED);
    const int = (n: number) => Math.floor(random() * n);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
    const base = new Y.Doc();
    createAgendaItem(base, { title: '模板' });
    const valid = Y.encodeStateAsUpdate(base);
    const randomVector = () => {
      const e = encoding.createEncoder();
      const n = int(4);
      encoding.writeVarUint(e, n);
      for (let k = 0; k < n; k++) {
        encoding.writeVarUint(e, int(2 ** 32));
        encoding.writeVarUint(e, int(2 ** 20));
      }
      return encoding.toUint8Array(e);
    };
    /** Frames the server handles and stays connected: presence, queries, state vectors, known content. */
    const stay = (): { frame: Uint8Array; answered: boolean } => {
      switch (int(5)) {
        case 0: return { frame: new Uint8Array([MESSAGE.queryAwareness]), answered: false };
        case 1: return { frame: syncFrame(SYNC.step1, randomVector()), answered: true };
        case 2: return { frame: syncFrame(SYNC.update, valid), answered: false };
        default: return { frame: awarenessMessage(presence(int(2 ** 31), int(10) ? JSON.stringify({ user: { name: '模糊'.repeat(int(40)) }, n: int(1e9) }) : 'null')), answered: false };
      }
    };
    /** Frames the server refuses by closing the connection. */
    const refused = (): Uint8Array => {
      switch (int(6)) {
        case 0: return Uint8Array.of(int(2) ? 0 : 9, ...bytes(int(64)));
        case 1: { const m = Uint8Array.from(valid); for (let k = 0; k < 1 + int(4); k++) m[int(m.length)] = int(256); return syncFrame(SYNC.update, m); }
        case 2: return syncFrame(3 + int(100), bytes(int(200)));
        case 3: return awarenessMessage(bytes(1 + int(50)));
        case 4: return syncFrame(SYNC.update, forgedDelete(int(2 ** 32), int(1000), 2 ** 41 + int(2 ** 40)));
        default: return syncFrame(SYNC.update, deepUpdate(65 + int(200)));
      }
    };
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const rssBefore = rss();
    // Counted only once known to be handled: a burst when the answer to the probe after it arrived,
    // a refused frame when its close arrived.
    let handled = 0;
    let closes = 0;
    const unexpected: number[] = [];
    const worker = async () => {
      while (handled < FUZZ_FRAMES) {
        const raw = rawSocket(wsUrl(), meeting.meetingId, meeting.host.cookie);
        await raw.opened;
        const answers = () => raw.messages.filter((m) => m[0] === MESSAGE.sync && m[1] === SYNC.step2).length;
        let expected = answers();
        for (let left = int(300); left > 0 && handled < FUZZ_FRAMES; ) {
          const burst = Math.min(left, 25);
          for (let k = 0; k < burst; k++) {
            const { frame, answered } = stay();
            raw.ws.send(frame);
            if (answered) expected++;
          }
          raw.ws.send(syncFrame(SYNC.step1, Y.encodeStateVector(base)));
          expected++;
          await until(() => answers() >= expected, 'the probe’s answer');
          handled += burst;
          left -= burst;
        }
        // Mostly refused; a mutation can happen to be a well-formed update, which is then just an edit.
        raw.ws.send(refused());
        raw.ws.send(syncFrame(SYNC.step1, Y.encodeStateVector(base)));
        expected++;
        let close: number | null = null;
        void raw.closed.then((c) => (close = c.code), () => {});
        await until(() => close !== null || answers() >= expected, 'a close or the probe’s answer');
        handled++;
        if (close === null) {
          raw.ws.terminate();
          continue;
        }
        if (close !== YJS_CLOSE.invalidMessage && close !== 1009) unexpected.push(close);
        closes++;
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await stillServing('fuzz');
    const rssAfter = rss();
    console.log(`fuzz: ${handled} frames handled, ${closes} refusals by close; server RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB`);
    expect(unexpected).toEqual([]);
    expect(handled).toBeGreaterThanOrEqual(FUZZ_FRAMES);
    expect(rssAfter - rssBefore).toBeLessThan(200);
  }, 240_000);

  it('after all of it, the meeting loads after a restart', async () => {
    await server.kill('SIGKILL');
    server = await spawnServer(env);
    const peer = connectPeer(wsUrl(), meeting.meetingId, meeting.host.cookie);
    peers.push(peer);
    await peer.synced;
    expect(readAgenda(peer.doc).items.map((i) => i.title)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^cookies /), expect.stringMatching(/^logout /), '之后仍然可见', expect.stringMatching(/^fuzz /)]),
    );
    expect(readAgenda(peer.doc).items.some((i) => i.id.startsWith('deep-'))).toBe(false);
  }, 60_000);
});
