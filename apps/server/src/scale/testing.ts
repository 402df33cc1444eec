import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createServer as createNetServer,
  connect,
  type Server as NetServer,
  type Socket as NetSocket,
} from 'node:net';
import { resolve } from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import { it } from 'vitest';
import { openDatabase, type Database } from '@yishi/db';
import type { ClientToServerEvents, PollDto, ServerToClientEvents } from '@yishi/model';
import { loadConfig } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createSocketLayer } from '../live/socket.ts';
import { createLogger } from '../logger.ts';
import { createServer, type YishiServer } from '../server.ts';
import { createYjsLayer, type YjsLayer, type YjsLayerOptions } from '../yjs/layer.ts';
import { until } from '../yjs/testing.ts';
import { createRedisLink } from './redis.ts';
import { resolveSecret } from '../secret.ts';
import { serverProcessArgs, TEST_SECRET } from '../testing.ts';

/** Test fixtures for several instances, proxies that fail on command, and server processes. */

const CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * True when Postgres and Redis are configured. Otherwise registers one test that says what is
 * missing: skipped on a laptop, failed under CI=true (nothing may be skipped there).
 */
export function scaleEnvReady(
  needs: ('DATABASE_URL' | 'REDIS_URL')[] = ['DATABASE_URL', 'REDIS_URL'],
): boolean {
  const missing = needs.filter((name) => !process.env[name]);
  if (!missing.length) return true;
  it(`needs ${missing.join(' and ')} (multi-instance and fault tests run only on Postgres + Redis)`, (ctx) => {
    if (CI)
      throw new Error(
        `CI=true but ${missing.join(' and ')} is not set: these tests cannot be skipped`,
      );
    ctx.skip();
  });
  return false;
}

/** A Redis key/channel prefix of its own, so parallel runs on the shared Redis never cross-talk. */
export const testRedisPrefix = () => `yishi-test-${randomBytes(5).toString('hex')}:`;

export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise((done) => probe.close(done));
  return port;
}

/** A loopback TCP proxy that can be cut (every connection dropped, new ones refused) and restored. */
export interface TcpProxy {
  port: number;
  url(scheme: string, path?: string): string;
  cut(): void;
  restore(): void;
  /** Connections open through the proxy right now. */
  readonly open: number;
  close(): Promise<void>;
}

/**
 * Forwards each new connection to the first live backend from `backends()` (in rotation): with
 * one target it is a cuttable proxy, with several a tiny load balancer that skips dead ones.
 */
export async function tcpProxy(
  backends: () => { host: string; port: number }[],
): Promise<TcpProxy> {
  const sockets = new Set<NetSocket>();
  let cut = false;
  let turn = 0;
  const track = (s: NetSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: NetServer = createNetServer((client) => {
    track(client);
    if (cut) return client.destroy();
    client.pause();
    const targets = backends();
    const tryTarget = (attempt: number) => {
      if (attempt >= targets.length || client.destroyed) return client.destroy();
      const target = targets[(turn + attempt) % targets.length]!;
      const upstream = connect(target.port, target.host);
      upstream.once('error', () => {
        upstream.destroy();
        tryTarget(attempt + 1);
      });
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        track(upstream);
        if (cut || client.destroyed) return upstream.destroy();
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    turn++;
    tryTarget(0);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (scheme, path = '') => `${scheme}://127.0.0.1:${port}${path}`,
    cut() {
      // Like a server that went away: open connections drop, new ones are refused (ECONNREFUSED).
      cut = true;
      server.close();
      for (const s of sockets) s.destroy();
    },
    restore() {
      if (!cut) return;
      cut = false;
      server.listen(port, '127.0.0.1');
    },
    get open() {
      return [...sockets].length;
    },
    async close() {
      cut = true;
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise((done) => server.close(done));
    },
  };
}

/** One in-process instance with its own pool, Redis connections, events and live layers. */
export interface Instance {
  yishi: YishiServer;
  deps: Deps;
  database: Database;
  yjs: YjsLayer;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** Starts an instance on port 0 over a shared database, as `main.ts` would. */
export async function startInstance(options: {
  databaseUrl: string;
  redisUrl?: string;
  redisPrefix: string;
  env?: Record<string, string>;
  yjs?: Partial<YjsLayerOptions>;
}): Promise<Instance> {
  const config = loadConfig({
    PUBLIC_URL: 'http://yishi.test',
    TRUST_PROXY: 'true',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl,
    REDIS_PREFIX: options.redisPrefix,
    YISHI_SECRET: TEST_SECRET,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  });
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: options.databaseUrl, poolSize: 5 });
  const redis = config.redisUrl
    ? createRedisLink({ url: config.redisUrl, prefix: config.redisPrefix, logger })
    : undefined;
  const deps = createDeps({
    config,
    database,
    logger,
    redis,
    publicBaseUrl: () => config.publicUrl!,
    secret: resolveSecret(config),
  });
  let yjs: YjsLayer | undefined;
  const yishi = await createServer(deps, {
    layers: [(_server, d) => (yjs = createYjsLayer(d, options.yjs)), createSocketLayer()],
    webHandler: null,
  });
  await new Promise<void>((done) => yishi.server.listen(0, '127.0.0.1', done));
  const port = (yishi.server.address() as { port: number }).port;
  return {
    yishi,
    deps,
    database,
    yjs: yjs!,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    async close() {
      await yishi.close();
      await redis?.close();
      await database.close();
    },
  };
}

/** A JSON client over real HTTP that keeps its session cookie. */
export class HttpClient {
  cookie = '';
  constructor(public base: string) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.getSetCookie().map((line) => line.split(';')[0]);
    if (set.length) this.cookie = set.join('; ');
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the text itself is the answer.
    }
    return { status: res.status, json };
  }

  post = (path: string, body: unknown = {}) => this.request('POST', path, body);
  get = (path: string) => this.request('GET', path);
  patch = (path: string, body: unknown = {}) => this.request('PATCH', path, body);
}

/** A host with a community and a meeting, over HTTP. */
export async function hostMeeting(base: string, kind = 'building-talk') {
  const host = new HttpClient(base);
  const signup = await host.post('/api/auth/signup', {
    username: `h${randomBytes(6).toString('hex')}`,
    password: 'correct horse battery',
    name: '李书记',
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.json)}`);
  const community = await host.post('/api/communities', { name: '濱湖明珠社區' });
  const meeting = await host.post('/api/meetings', {
    communityId: community.json.id,
    title: '業主協商會',
    kind,
  });
  if (meeting.status !== 201) throw new Error(`meeting failed: ${JSON.stringify(meeting.json)}`);
  return { host, meetingId: meeting.json.id as string, joinCode: meeting.json.joinCode as string };
}

/** A guest joined over HTTP (through any instance: they share the database). */
export async function guest(base: string, joinCode: string, name: string) {
  const client = new HttpClient(base);
  const res = await client.post('/api/join', { code: joinCode, name, affiliation: 'resident' });
  if (res.status !== 200) throw new Error(`join failed: ${JSON.stringify(res.json)}`);
  return client;
}

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client (websocket transport, as the web app) that entered the meeting. */
export async function liveClient(
  base: string,
  cookie: string,
  meetingId: string,
  reconnection = false,
): Promise<LiveClient> {
  const socket: LiveClient = connectClient(base, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection,
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    forceNew: true,
  });
  await new Promise<void>((done, fail) => {
    socket.once('connect', () => done());
    socket.once('connect_error', (error) => fail(error));
  });
  const ack = await socket.timeout(10_000).emitWithAck('meeting:enter', { meetingId });
  if (!ack.ok) throw new Error(`meeting:enter refused: ${JSON.stringify(ack)}`);
  if (reconnection)
    socket.io.on('reconnect', () => void socket.emit('meeting:enter', { meetingId }, () => {}));
  return socket;
}

/** Collects every poll:state a client sees. */
export function pollStates(socket: LiveClient): PollDto[] {
  const seen: PollDto[] = [];
  socket.on('poll:state', ({ poll }) => seen.push(poll));
  return seen;
}

const SERVER_DIR = resolve(import.meta.dirname, '../..');

/** A real server process (`node --import tsx src/main.ts`) on a port of its own. */
export interface ServerProcess {
  proc: ChildProcess;
  port: number;
  url: string;
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnServer(
  env: Record<string, string>,
  port?: number,
): Promise<ServerProcess> {
  const chosen = port ?? (await freePort());
  const proc = spawn(process.execPath, serverProcessArgs(), {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      PORT: String(chosen),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${chosen}`,
      LOG_LEVEL: 'warn',
      // Every test server process shares one secret, as instances over one database must.
      YISHI_SECRET: TEST_SECRET,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    // Keep the tail only: a long test must not hoard logs.
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${chosen}`;
  await until(
    async () => {
      if (proc.exitCode !== null) throw new Error(`server exited ${proc.exitCode}: ${stderr}`);
      try {
        return (await fetch(`${url}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    'server ready',
    90_000,
  );
  return {
    proc,
    port: chosen,
    url,
    stderr: () => stderr,
    kill(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((done) => proc.once('exit', () => done()));
      proc.kill(signal);
      return exited;
    },
  };
}

/** RSS of a process in bytes, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}
