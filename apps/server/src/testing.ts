import type { AddressInfo } from 'node:net';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@yishi/model';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { loadConfig } from './config.ts';
import { createDeps, type Deps } from './deps.ts';
import { createApp } from './http/app.ts';
import { createLogger } from './logger.ts';
import { createServer, type LiveLayerFactory, type YishiServer } from './server.ts';

/** Test fixtures in one place: a throwaway database, deps, and the app or a listening server. */
export interface TestContext {
  deps: Deps;
  database: TestDatabase;
  app: ReturnType<typeof createApp>;
  dispose(): Promise<void>;
}

export const TEST_PUBLIC_URL = 'http://yishi.test';

/** The server secret of test servers (in-process and spawned): several instances share it, as in production. */
export const TEST_SECRET = 'yishi-test-secret-not-for-production-0123456789';

export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = loadConfig({ PUBLIC_URL: TEST_PUBLIC_URL, TRUST_PROXY: 'true', LOG_LEVEL: 'silent', ...env });
  const deps = createDeps({ config, database, logger: createLogger(config.logLevel), publicBaseUrl: () => config.publicUrl!, secret: Buffer.from(TEST_SECRET) });
  return { deps, database, app: createApp(deps), dispose: () => database.dispose() };
}

/** A client for app.request that keeps cookies like a browser and speaks JSON. */
export class TestClient {
  cookies = new Map<string, string>();
  constructor(
    private readonly app: TestContext['app'],
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(cookie ? { cookie } : {}),
        ...this.headers,
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, headers: res.headers, json, setCookie: res.headers.getSetCookie() };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body ?? {}, headers);
  patch = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('PATCH', path, body ?? {}, headers);

  /** The Cookie header this client would send (for websocket and socket.io clients). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

let seq = 0;
/** A fresh client address per call (198.18.0.0/15 is for tests), so per-address limits stay apart. */
export const testAddress = () => `198.18.${(seq >> 8) & 255}.${seq++ & 255}`;

/** Signs up a fresh account holder (from an address of their own) and returns their client. */
export async function signedUp(app: TestContext['app'], name = '社工小陈', headers: Record<string, string> = {}) {
  const client = new TestClient(app, { 'x-forwarded-for': testAddress(), ...headers });
  const username = `user${Date.now().toString(36)}${seq++}`;
  const res = await client.post('/api/auth/signup', { username, password: 'correct horse battery', name });
  if (res.status !== 201) throw new Error(`signup failed: ${JSON.stringify(res.json)}`);
  return { client, user: res.json.user as { id: string; name: string }, username };
}

/** A host with a community and a meeting, ready for others to join. */
export async function meetingWithHost(app: TestContext['app'], kind = 'building-talk') {
  const host = await signedUp(app, '李书记');
  const community = await host.client.post('/api/communities', { name: '濱湖明珠社區' });
  const meeting = await host.client.post('/api/meetings', {
    communityId: community.json.id,
    title: '11月樓長有話說',
    kind,
    location: '社區活動室',
  });
  if (meeting.status !== 201) throw new Error(`meeting failed: ${JSON.stringify(meeting.json)}`);
  return { host, communityId: community.json.id as string, meeting: meeting.json as { id: string; joinCode: string; joinUrl: string } };
}

/** Joins a meeting as a guest; returns the guest's client. */
export async function joinedGuest(app: TestContext['app'], code: string, name = '王樓長', affiliation = 'resident') {
  const client = new TestClient(app);
  const res = await client.post('/api/join', { code, name, affiliation });
  if (res.status !== 200) throw new Error(`join failed: ${JSON.stringify(res.json)}`);
  return { client, userId: res.json.userId as string };
}

/** Starts a real listening server on an ephemeral port (for websocket and socket.io tests). */
export async function listeningServer(
  ctx: TestContext,
  layers: LiveLayerFactory[],
): Promise<{ yishi: YishiServer; port: number; url: string; wsUrl: string }> {
  const yishi = await createServer(ctx.deps, { layers, webHandler: null });
  await new Promise<void>((done) => yishi.server.listen(0, '127.0.0.1', done));
  const port = (yishi.server.address() as AddressInfo).port;
  return { yishi, port, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` };
}

/**
 * How tests start a real server process: the production bundle when `pnpm test` has just built it
 * (YISHI_TEST_BUNDLE=1, starts in about a second), else the sources through tsx (a few seconds).
 * Run with cwd = apps/server.
 */
export function serverProcessArgs(): string[] {
  return process.env.YISHI_TEST_BUNDLE === '1' ? ['--enable-source-maps', 'dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
}

/** A socket.io client as the web app types it; tests of other event sets pass their own type. */
export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * socket.io clients of one test server, as a browser tab would connect (websocket, cookie header,
 * no reconnection); `closeAll` in afterAll. `entered` also sends meeting:enter and checks it worked.
 * `url` may be a function, read at each connect (servers start in beforeAll).
 */
export function socketClients<C extends Socket = TestSocket>(url: string | (() => string)) {
  const sockets: C[] = [];
  function connect(cookie: string, headers: Record<string, string> = {}): Promise<C> {
    const socket = connectClient(typeof url === 'string' ? url : url(), {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { cookie, ...headers },
      reconnection: false,
      forceNew: true,
    }) as unknown as C;
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error: Error) => reject(error));
    });
  }
  async function entered(client: TestClient, meetingId: string, cookieExtra = '', headers: Record<string, string> = {}): Promise<C> {
    const socket = await connect(client.cookieHeader() + cookieExtra, headers);
    const ack = await (socket as unknown as TestSocket).emitWithAck('meeting:enter', { meetingId });
    if (!ack.ok) throw new Error(`meeting:enter failed: ${JSON.stringify(ack)}`);
    return socket;
  }
  return { connect, entered, sockets, closeAll: () => sockets.forEach((s) => s.disconnect()) };
}

/** DOMAIN.md's worked example of a unit register (609.50 m², 4 heads), as PUT /units takes it. */
export const REGISTER = [
  { building: '1', unit: '101', area: '89.50', owners: ['张'] },
  { building: '1', unit: '102', area: '120.25', owners: ['李'] },
  { building: '1', unit: '201', area: '89.50', owners: ['王'] },
  { building: '1', unit: '202', area: '120.25', owners: ['王'] },
  { building: '2', unit: '101', area: '95.00', developer: true },
  { building: '2', unit: '102', area: '95.00', developer: true },
];
