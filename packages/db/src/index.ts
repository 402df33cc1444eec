import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export { schema };
export * from './schema/index.ts';
export { sql } from 'drizzle-orm';

export type Schema = typeof schema;
/** The drizzle database, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handed to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface DbOptions {
  /** postgres://… — when set, PostgreSQL through postgres.js; otherwise embedded PGlite. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; omitted or 'memory://' keeps everything in memory (tests). */
  dataDir?: string | undefined;
  /** Connection pool size for postgres.js. */
  poolSize?: number;
  migrationsFolder?: string;
}

export interface Database {
  db: Db;
  driver: 'postgres' | 'pglite';
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** postgres.js client when driver is 'postgres' (for LISTEN/NOTIFY and raw batches). */
  pg?: postgres.Sql;
  /** PGlite instance when driver is 'pglite'. */
  pglite?: PGlite;
}

/** The migrations folder next to this module (source) or next to a bundle that copied it. */
export function defaultMigrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../migrations'), resolve(here, 'migrations')];
  const found = candidates.find((c) => existsSync(join(c, 'meta', '_journal.json')));
  if (!found) throw new Error(`migrations folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

const BYTEA_OID = 17;

// Any fixed number: every instance takes the same lock so migrations run once at a time.
const MIGRATION_LOCK = 7_460_311;

/** Opens the database and applies pending migrations before returning. */
export async function openDatabase(options: DbOptions): Promise<Database> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
  if (options.databaseUrl) {
    const lockClient = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(drizzlePostgres(lockClient, { schema }), { migrationsFolder });
      await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    } finally {
      await lockClient.end();
    }
    const pg = postgres(options.databaseUrl, { max: options.poolSize ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(pg, { schema }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      pg,
      ping: () => ping(db),
      close: () => pg.end({ timeout: 5 }),
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // PGlite's own bytea parser walks the hex text a character at a time (a 250 KB document
  // snapshot: ~20 ms); Buffer's hex decoder does the same in ~2 ms.
  const parsers = { [BYTEA_OID]: (value: string) => Buffer.from(value.slice(2), 'hex') };
  const pglite = dataDir ? new PGlite(dataDir, { parsers }) : new PGlite({ parsers });
  await pglite.waitReady;
  const pgliteDb = drizzlePglite(pglite, { schema });
  await migratePglite(pgliteDb, { migrationsFolder });
  const db = pgliteDb as unknown as Db;
  return {
    db,
    driver: 'pglite',
    pglite,
    ping: () => ping(db),
    close: () => pglite.close(),
  };
}

async function ping(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
