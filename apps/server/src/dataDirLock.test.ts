import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirBusy, lockDataDir } from './dataDirLock.ts';
import { spawnServer } from './scale/testing.ts';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'yishi-lock-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the DATA_DIR lock', () => {
  it('one holder at a time; released, it can be taken again', async () => {
    const dir = freshDir();
    const release = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirBusy);
    // Another directory is another lock.
    const other = await lockDataDir(freshDir());
    other();
    release();
    (await lockDataDir(dir))();
  });

  it('dies with its holder: a kill -9 leaves nothing that blocks the next start', async () => {
    const dir = freshDir();
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', `const { lockDataDir } = await import(${JSON.stringify(new URL('./dataDirLock.ts', import.meta.url).pathname)}); await lockDataDir(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: new URL('..', import.meta.url).pathname },
    );
    await new Promise<void>((done) => holder.stdout!.once('data', () => done()));
    await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirBusy);
    const exited = new Promise((done) => holder.once('exit', done));
    holder.kill('SIGKILL');
    await exited;
    (await lockDataDir(dir))();
  });

  it('a stale yishi.pid naming a live, unrelated process does not block the server', async () => {
    const dir = freshDir();
    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'yishi.pid'), String(unrelated.pid));
      const server = await spawnServer({ DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' });
      try {
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        // And a second yishi on the same directory is refused with a plain message.
        const second = await spawnServer({ DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' }).then(
          () => 'started',
          (error: Error) => error.message,
        );
        expect(second).toMatch(/another yishi is using/);
      } finally {
        await server.kill('SIGKILL');
      }
      // Right after a kill -9 the next start succeeds.
      const again = await spawnServer({ DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' });
      await again.kill('SIGTERM');
    } finally {
      unrelated.kill('SIGKILL');
    }
  }, 120_000);
});
