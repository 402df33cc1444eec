import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
/** The production bundle of the server. */
export const SERVER_MAIN = join(REPO, 'apps/server/dist/main.js');

/** A server process the harness started. */
export interface ServerProcess {
  name: 'yishi' | 'baseline';
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Base URL of the Yjs endpoint, as given to WebsocketProvider. */
  yjsUrl: string;
  /** Stops the process (SIGTERM, SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/** Builds apps/server/dist/main.js with the server's own build script. */
export async function buildServer(): Promise<void> {
  await runToEnd(process.execPath, [join(REPO, 'apps/server/scripts/build.mjs')]);
  if (!existsSync(SERVER_MAIN)) throw new Error(`the server build did not produce ${SERVER_MAIN}`);
}

function runToEnd(cmd: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/** A port that was free a moment ago (the server needs a number before it starts). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Keeps the last few KB of a child's output for error messages. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited: number | null = null;
  let failed: Error | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  child.once('error', (error) => (failed = error));
  while (performance.now() < deadline) {
    if (failed) throw new Error(`the server could not be started: ${(failed as Error).message}`);
    if (exited !== null) throw new Error(`the server exited with ${exited} before it was ready:\n${output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
}

/** The server secret of bench servers over PostgreSQL (embedded ones make their own in DATA_DIR). */
const BENCH_SECRET = 'yishi-bench-secret-not-for-production-0123456789';

/** Where the yishi server stores its data: a PGlite directory or a Postgres URL. */
export type Storage = { dataDir: string } | { databaseUrl: string };

/** Starts the production build of yishi and waits for /healthz. */
export async function startYishi(storage: Storage, options: { cpuProfDir?: string; port?: number } = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // Only what the server needs: a stray REDIS_URL or DATABASE_URL from the shell must not leak in.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
    // The hostile scenario's attacker guesses from its own address (X-Forwarded-For), as it would
    // from its own network: its wrong codes must not use up the guesses of the honest tablets' address.
    TRUST_PROXY: 'true',
    // With DATABASE_URL the server refuses to start without a shared secret (it seals open secret ballots).
    ...('databaseUrl' in storage ? { DATABASE_URL: storage.databaseUrl, YISHI_SECRET: BENCH_SECRET } : { DATA_DIR: storage.dataDir }),
  };
  const args = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  // cwd outside dist/: a concurrent rebuild deletes and recreates that directory.
  const child = spawn(process.execPath, [...args, SERVER_MAIN], { env, cwd: join(REPO, 'apps/server'), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tail(child);
  const stop = stopper(child);
  let stopping = false;
  child.once('exit', (code, signal) => {
    // A crash under load is a finding: say so with the server's last words.
    if (!stopping) process.stderr.write(`[bench] the yishi server exited unexpectedly (${code ?? signal}):\n${output()}\n`);
  });
  try {
    await waitFor(`${url}/healthz`, child, output, 60_000);
  } catch (error) {
    stopping = true;
    await stop();
    throw error;
  }
  const stopYishi = () => {
    stopping = true;
    return stop();
  };
  return { name: 'yishi', pid: child.pid!, port, url, yjsUrl: `ws://127.0.0.1:${port}/yjs`, stop: stopYishi };
}

/** Starts the stock @y/websocket-server 0.1.1 (in memory, no auth, no persistence) in its own process. */
export async function startBaseline(): Promise<ServerProcess> {
  const port = await freePort();
  const bin = join(dirname(require.resolve('@y/websocket-server/package.json')), 'src/server.js');
  const child = spawn(process.execPath, [bin], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tail(child);
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(url, child, output, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  // The stock server takes the room name from the whole path.
  return { name: 'baseline', pid: child.pid!, port, url, yjsUrl: `ws://127.0.0.1:${port}`, stop };
}
