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
import { connectPeer, rawSocket, waitFor, type TestPeer } from '../yjs/testing.ts';

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

  it('after all of it, the meeting loads after a restart', async () => {
    await server.kill('SIGKILL');
    server = await spawnServer(env);
    const peer = connectPeer(wsUrl(), meeting.meetingId, meeting.host.cookie);
    peers.push(peer);
    await peer.synced;
    expect(readAgenda(peer.doc).items.map((i) => i.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^cookies /), expect.stringMatching(/^logout /)]));
  }, 60_000);
});
