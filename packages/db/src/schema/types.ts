import { customType, timestamp } from 'drizzle-orm/pg-core';

/** bytea as Uint8Array on both drivers (postgres.js hands back a Buffer, which is one). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/** A timestamptz column read as a Date. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
