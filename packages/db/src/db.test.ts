import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, users, sql } from './index.ts';
import { createTestDatabase, testDriver } from './testing.ts';

describe(`database on ${testDriver}`, () => {
  it('applies migrations and stores rows', async () => {
    const database = await createTestDatabase();
    try {
      await database.db.insert(users).values({ id: 'u1', name: '張三', username: 'zhang' });
      const rows = await database.db.select().from(users).where(eq(users.id, 'u1'));
      expect(rows[0]?.name).toBe('張三');
      await expect(database.db.insert(users).values({ id: 'u2', name: 'x', username: 'zhang' })).rejects.toThrow();
      expect(await database.ping()).toBe(true);
    } finally {
      await database.dispose();
    }
  });

  it('opening twice migrates once (idempotent migrations)', async () => {
    const database = await createTestDatabase();
    try {
      const again = database.url ? await openDatabase({ databaseUrl: database.url }) : null;
      const result = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
      expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
      await again?.close();
    } finally {
      await database.dispose();
    }
  });
});

describe(`bytea on ${testDriver}`, () => {
  it('reads back every byte value, and empty values', async () => {
    const database = await createTestDatabase();
    try {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const result = await database.db.execute(
        sql`select ${all}::bytea as b, ''::bytea as empty, null::bytea as nothing`,
      );
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
        b: Uint8Array;
        empty: Uint8Array;
        nothing: Uint8Array | null;
      }[];
      expect(Buffer.from(rows[0]!.b).equals(all)).toBe(true);
      expect(rows[0]!.empty.byteLength).toBe(0);
      expect(rows[0]!.nothing).toBeNull();
    } finally {
      await database.dispose();
    }
  });
});

describe('PGlite in DATA_DIR', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yishi-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across a restart', async () => {
    const first = await openDatabase({ dataDir: dir });
    await first.db.insert(users).values({ id: 'keep', name: '李四' });
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    const rows = await second.db.select().from(users).where(eq(users.id, 'keep'));
    expect(rows[0]?.name).toBe('李四');
    await second.close();
  });
});
