import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDriver, type TestDatabase } from '@yishi/db/testing';
import { createAgendaItem, readAgenda } from '@yishi/model';
import { connectPeer, until, waitFor } from './testing.ts';
import { serverProcessArgs, TEST_SECRET } from '../testing.ts';

// The real process, killed with SIGKILL right after another client saw an update: what anyone
// has seen must survive (durable before visible).
const SERVER_DIR = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise((done) => probe.close(done));
  return port;
}

let dataDir: string;
let database: TestDatabase | null = null;
let port: number;
let child: ChildProcess | null = null;

function startServer(): Promise<ChildProcess> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
    YISHI_SECRET: TEST_SECRET,
  };
  if (!database) delete env.DATABASE_URL;
  const proc = spawn(process.execPath, serverProcessArgs(), {
    cwd: SERVER_DIR,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return until(
    async () => {
      if (proc.exitCode !== null) throw new Error(`server exited ${proc.exitCode}: ${stderr}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    'server ready',
    45_000,
  ).then(() => proc);
}

async function post(path: string, body: unknown, cookie = '') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const setCookie = res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return {
    status: res.status,
    json: (await res.json()) as Record<string, string>,
    cookie: setCookie || cookie,
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'yishi-kill-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  port = await freePort();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await database?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`kill -9 on ${testDriver}`, () => {
  it(
    'an update another client has seen survives SIGKILL of the server process',
    { timeout: 120_000 },
    async () => {
      process.setMaxListeners(100);
      child = await startServer();
      const signup = await post('/api/auth/signup', {
        username: `kill${Date.now()}`,
        password: 'correct horse battery',
        name: '李书记',
      });
      expect(signup.status).toBe(201);
      const community = await post('/api/communities', { name: '濱湖明珠社區' }, signup.cookie);
      const meeting = await post(
        '/api/meetings',
        { communityId: community.json.id, title: '樓長有話說', kind: 'building-talk' },
        signup.cookie,
      );
      expect(meeting.status).toBe(201);
      const wsUrl = `ws://127.0.0.1:${port}`;
      const editor = connectPeer(wsUrl, meeting.json.id!, signup.cookie);
      const watcher = connectPeer(wsUrl, meeting.json.id!, signup.cookie);
      await Promise.all([editor.synced, watcher.synced]);
      createAgendaItem(editor.doc, { title: '断电也不丢' });
      await waitFor(
        watcher.doc,
        () => readAgenda(watcher.doc).items.some((i) => i.title === '断电也不丢'),
        'watcher sees the edit',
      );

      child.kill('SIGKILL');
      await new Promise((done) => child!.once('exit', done));
      // Neither client may bring the edit back after the restart: only the server's copy counts.
      editor.destroy();
      watcher.destroy();

      child = await startServer();
      const fresh = connectPeer(wsUrl, meeting.json.id!, signup.cookie);
      await fresh.synced;
      expect(readAgenda(fresh.doc).items.map((i) => i.title)).toEqual([
        '上次事项推进',
        '各楼栋反映问题',
        '议定事项',
        '其他',
        '断电也不丢',
      ]);
      fresh.destroy();
    },
  );
});
