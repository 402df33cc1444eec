import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';

const root = resolve(import.meta.dirname, '..');
const serverMain = join(root, 'apps/server/dist/main.js');
const webHandler = join(root, 'apps/web/build/handler.js');

/** A port nobody listens on right now, chosen by the OS. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts the production server (`pnpm build` first) on a free port with a throwaway database:
 * PGlite in a temp DATA_DIR, or a fresh database on the server in DATABASE_URL.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const file of [serverMain, webHandler]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`pnpm build\` in ${root} first`);
  }
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'yishi-e2e-'));
  let database: TestDatabase | undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'warn',
    // Each journey's own page sends its own X-Forwarded-For (fixtures.ts): per-address limits per test.
    TRUST_PROXY: 'true',
  };
  delete env.DATABASE_URL;
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    if (!database.url) throw new Error('createTestDatabase gave no URL for the server');
    env.DATABASE_URL = database.url;
    // Required with DATABASE_URL: the secret that seals open secret ballots.
    env.YISHI_SECRET = 'yishi-e2e-secret-not-for-production-0123456789';
  }

  const child = spawn(process.execPath, [serverMain], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const cleanup = async () => {
    await stop(child);
    await database?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(`${baseUrl}/healthz`, child, 60_000);
  } catch (error) {
    await cleanup();
    throw error;
  }
  // Workers start after global setup and inherit this.
  process.env.YISHI_BASE_URL = baseUrl;
  return cleanup;
}
