import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** Thrown when another live yishi holds the data directory. */
export class DataDirBusy extends Error {}

/**
 * Where the lock of a data directory lives. It is a listening local socket, which the kernel
 * closes when its process ends however it ends (exit, kill -9, power cut): nothing stale can block
 * the next start, and no pid can be mistaken for another program's. Linux uses the abstract
 * namespace (no file at all), Windows a named pipe; elsewhere a socket file in DATA_DIR, which a
 * new process that finds nobody listening on it takes over.
 */
export function lockAddress(dir: string): { path: string; file: boolean } {
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0yishi-data-${id}`, file: false };
  if (process.platform === 'win32') return { path: `\\\\?\\pipe\\yishi-data-${id}`, file: false };
  const inDir = join(dir, 'yishi.lock');
  // Socket paths are limited to about 100 bytes.
  return { path: Buffer.byteLength(inDir) < 100 ? inDir : join(tmpdir(), `yishi-data-${id}.sock`), file: true };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** True when something answers on a socket file (a live holder); false when it is stale. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * PGlite files must have one writer: takes the lock of DATA_DIR or throws DataDirBusy. Resolves
 * with the function that releases it (the process ending releases it too).
 */
export async function lockDataDir(dir: string): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const { path, file } = lockAddress(dir);
  const server = createServer((socket) => socket.end('yishi\n'));
  // The lock must never keep the process alive on its own.
  server.unref();
  const busy = () => new DataDirBusy(`another yishi is using ${dir}; stop it or choose another DATA_DIR`);
  try {
    await listen(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (!file || (await answers(path))) throw busy();
    // A socket file left by a process that is gone: take it over.
    rmSync(path, { force: true });
    await listen(server, path).catch((again: NodeJS.ErrnoException) => {
      throw again.code === 'EADDRINUSE' ? busy() : again;
    });
  }
  return () => {
    server.close();
    if (file) rmSync(path, { force: true });
  };
}
