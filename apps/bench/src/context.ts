import WebSocket from 'ws';
import { openDatabase, type Database, type Db } from '@yishi/db';
import type { Options } from './options.ts';
import type { WorkerPool } from './pool.ts';
import { startYishi, type ServerProcess, type Storage } from './servers.ts';
import { join } from 'node:path';

/** What every scenario gets: options, the workers, and the yishi server (which may be restarted). */
export class BenchContext {
  constructor(
    readonly options: Options,
    readonly pool: WorkerPool,
    private server: ServerProcess,
    private readonly storage: Storage,
    /** The throwaway Postgres database, open beside the server; null on PGlite. */
    private readonly postgres: Database | null,
    private readonly cpuProfDir: string | undefined,
  ) {}

  /** The running yishi server. */
  get yishi(): ServerProcess {
    return this.server;
  }

  log(message: string): void {
    process.stderr.write(`[bench] ${message}\n`);
  }

  /**
   * Runs `fn` with direct database access, for seeding what would take too long through clients.
   * PGlite has one writer, so the server is stopped for it and started again afterwards.
   */
  async withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.postgres) return fn(this.postgres.db);
    if (!('dataDir' in this.storage)) throw new Error('no database to seed');
    await this.server.stop();
    const database = await openDatabase({ dataDir: join(this.storage.dataDir, 'pg') });
    try {
      return await fn(database.db);
    } finally {
      await database.close();
      // The same port: sessions and URLs handed out before stay valid, as after a real restart.
      this.server = await startYishi(this.storage, { cpuProfDir: this.cpuProfDir, port: this.server.port });
    }
  }

  /** Stops the server gracefully (it stores and compacts what it holds) and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.server.stop();
    this.server = await startYishi(this.storage, { cpuProfDir: this.cpuProfDir, port: this.server.port });
  }

  /** Stops the server (the harness's last step). */
  async stop(): Promise<void> {
    await this.server.stop();
  }
}

/** Null when the server answers websocket upgrades on /yjs, else why not. */
export function yjsUnavailable(yjsUrl: string, meetingId: string, cookie: string): Promise<string | null> {
  return new Promise((done) => {
    const ws = new WebSocket(`${yjsUrl}/${meetingId}`, { headers: { cookie } });
    const timer = setTimeout(() => {
      ws.terminate();
      done('no answer to a websocket upgrade on /yjs within 5 s');
    }, 5_000);
    const finish = (reason: string | null) => {
      clearTimeout(timer);
      done(reason);
    };
    ws.on('open', () => {
      ws.close();
      finish(null);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      finish(`the server answers a websocket upgrade on /yjs with HTTP ${res.statusCode} (no Yjs layer in apps/server/src/layers.ts?)`);
    });
    ws.on('error', (error) => finish(`websocket upgrade on /yjs failed: ${error.message}`));
  });
}

/** Null when socket.io answers on /socket.io, else why not. */
export async function socketUnavailable(url: string): Promise<string | null> {
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
  await res.arrayBuffer();
  // socket.io answers an unauthenticated handshake with 400/403; a 404 is the page handler.
  return res.status === 404 ? 'the server does not serve /socket.io (no socket.io layer in apps/server/src/layers.ts?)' : null;
}
