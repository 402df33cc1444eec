import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './config.ts';

/** Shortest secret accepted: 32 characters (the generated one is 43 base64url characters, 256 bits). */
export const MIN_SECRET_CHARS = 32;

/** The file embedded mode keeps its generated secret in, inside DATA_DIR. */
export const SECRET_FILE_NAME = 'secret.key';

/** Thrown when the server secret is missing or unusable; the message says what to do. */
export class SecretProblem extends Error {}

/**
 * The server secret that seals open secret ballots (docs/threat-model.md). It never enters the
 * database. From YISHI_SECRET or YISHI_SECRET_FILE when given; otherwise embedded mode (no
 * DATABASE_URL) generates one once in DATA_DIR/secret.key (mode 0600) and reuses it. With
 * DATABASE_URL there may be several instances, which must share one secret, so none is made up.
 */
export function resolveSecret(config: Pick<Config, 'secret' | 'secretFile' | 'databaseUrl' | 'dataDir'>): Buffer {
  if (config.secret !== undefined && config.secretFile !== undefined)
    throw new SecretProblem('set YISHI_SECRET or YISHI_SECRET_FILE, not both');
  if (config.secret !== undefined) return checked(config.secret, 'YISHI_SECRET');
  if (config.secretFile !== undefined) return checked(readSecretFile(config.secretFile), `YISHI_SECRET_FILE (${config.secretFile})`);
  if (config.databaseUrl)
    throw new SecretProblem(
      'DATABASE_URL is set but no server secret: set YISHI_SECRET (at least 32 characters, e.g. `openssl rand -base64 32`) ' +
        'or YISHI_SECRET_FILE, the same on every instance, and keep a backup of it (see README, "Configuration")',
    );
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, SECRET_FILE_NAME);
  try {
    // 'wx': created only if absent, so two starts can never make two secrets.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A copied or restored file may have come back readable by others: only the owner needs it.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return checked(readSecretFile(file), file);
}

function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new SecretProblem(`cannot read the server secret from ${path}: ${(error as Error).message}`);
  }
}

function checked(secret: string, from: string): Buffer {
  if (secret.length < MIN_SECRET_CHARS)
    throw new SecretProblem(`the server secret in ${from} is too short: at least ${MIN_SECRET_CHARS} characters`);
  return Buffer.from(secret, 'utf8');
}
