import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from './index.ts';

export interface TestDatabase extends Database {
  /** Closes the connection and drops what the test created. */
  dispose(): Promise<void>;
  /** For Postgres: the URL of the throwaway database (so a second process can open it). */
  url?: string;
}

/** Name of the engine the suite runs on, for test titles. */
export const testDriver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database for one test file: a throwaway database on the server named by
 * DATABASE_URL (created here, dropped on dispose), or an in-memory PGlite otherwise.
 */
export async function createTestDatabase(options: { dataDir?: string } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const database = await openDatabase({ dataDir: options.dataDir });
    return { ...database, dispose: () => database.close() };
  }
  const name = `yishi_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  return {
    ...database,
    url: url.toString(),
    dispose: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
