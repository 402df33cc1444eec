import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSecret, SECRET_FILE_NAME, SecretProblem } from './secret.ts';
import { serverProcessArgs } from './testing.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'yishi-secret-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const none = { secret: undefined, secretFile: undefined, databaseUrl: undefined };

describe('the server secret', () => {
  it('embedded mode makes one in DATA_DIR, readable by the owner only, and reuses it', () => {
    const dataDir = join(tempDir(), 'data');
    const first = resolveSecret({ ...none, dataDir });
    const file = join(dataDir, SECRET_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(resolveSecret({ ...none, dataDir }).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('utf8'));
    // A restored copy that came back world-readable is tightened, not rejected.
    chmodSync(file, 0o644);
    expect(resolveSecret({ ...none, dataDir }).equals(first)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('with DATABASE_URL it refuses to start without YISHI_SECRET or YISHI_SECRET_FILE, and makes none up', () => {
    const dataDir = tempDir();
    const attempt = () => resolveSecret({ ...none, dataDir, databaseUrl: 'postgres://db/yishi' });
    expect(attempt).toThrow(SecretProblem);
    expect(attempt).toThrow(/DATABASE_URL is set but no server secret: set YISHI_SECRET/);
    expect(() => statSync(join(dataDir, SECRET_FILE_NAME))).toThrow();
  });

  it('takes YISHI_SECRET or YISHI_SECRET_FILE, and refuses short, missing or doubled ones', () => {
    const dir = tempDir();
    const secret = 'x'.repeat(40);
    expect(resolveSecret({ ...none, dataDir: dir, databaseUrl: 'postgres://db/yishi', secret }).toString()).toBe(secret);
    const file = join(dir, 'shared.key');
    writeFileSync(file, `${secret}\n`);
    expect(resolveSecret({ ...none, dataDir: dir, databaseUrl: 'postgres://db/yishi', secretFile: file }).toString()).toBe(secret);
    expect(() => resolveSecret({ ...none, dataDir: dir, secret: 'short' })).toThrow(/too short: at least 32/);
    expect(() => resolveSecret({ ...none, dataDir: dir, secretFile: join(dir, 'absent') })).toThrow(/cannot read the server secret/);
    expect(() => resolveSecret({ ...none, dataDir: dir, secret, secretFile: file })).toThrow(/not both/);
  });

  it('a server process with DATABASE_URL and no secret exits at once with the reason, before touching the database', { timeout: 60_000 }, async () => {
    // Port 1: nothing listens there, so a server that got as far as the database would fail differently.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: 'postgres://yishi@127.0.0.1:1/none', LOG_LEVEL: 'silent', PORT: '0' };
    const child = spawn(process.execPath, serverProcessArgs(), { cwd: join(import.meta.dirname, '..'), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(1);
    expect(stderr).toContain('yishi: DATABASE_URL is set but no server secret: set YISHI_SECRET');
  });
});
