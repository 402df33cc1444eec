import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '@yishi/db';
import { loadConfig, publicBaseUrl } from './config.ts';
import { DataDirBusy, lockDataDir } from './dataDirLock.ts';
import { createDeps } from './deps.ts';
import { liveLayers } from './layers.ts';
import { createLogger } from './logger.ts';
import { createRedisLink } from './scale/redis.ts';
import { resolveSecret, SecretProblem } from './secret.ts';
import { createServer } from './server.ts';

const started = performance.now();
const config = loadConfig();
const logger = createLogger(config.logLevel);

const unlock = config.databaseUrl ? () => {} : await lockDataDir(resolve(config.dataDir)).catch((error: unknown) => {
  if (!(error instanceof DataDirBusy)) throw error;
  logger.fatal(error.message);
  // Also as a plain sentence for the person who just typed `pnpm start`.
  console.error(`yishi: ${error.message}`);
  process.exit(1);
});
let secret: Buffer;
try {
  secret = resolveSecret(config);
} catch (error) {
  if (!(error instanceof SecretProblem)) throw error;
  logger.fatal(error.message);
  console.error(`yishi: ${error.message}`);
  process.exit(1);
}
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: resolve(config.dataDir, 'pg') });
let port = config.port;
// Not awaited: an instance serves its own clients with or without Redis (see /healthz).
const redis = config.redisUrl ? createRedisLink({ url: config.redisUrl, prefix: config.redisPrefix, logger }) : undefined;
const deps = createDeps({ config, database, logger, redis, secret, publicBaseUrl: () => publicBaseUrl(config, port) });
const yishi = await createServer(deps, { layers: liveLayers });

yishi.server.listen(config.port, config.host, () => {
  port = (yishi.server.address() as AddressInfo).port;
  const url = publicBaseUrl(config, port);
  logger.info(
    { port, database: database.driver, redis: redis ? 'configured' : 'none', startupMs: Math.round(performance.now() - started) },
    `yishi is ready: open ${url.toString()}`,
  );
  if (process.stdout.isTTY) console.log(`\n  議事 yishi — open ${url.toString()} (tablets on this Wi-Fi can reach it)\n`);
});

let stopping = false;
/** Stops accepting, lets the live layers store what they hold, closes the database, exits. */
async function stop(reason: string, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping');
  const force = setTimeout(() => process.exit(exitCode || 1), 10_000);
  force.unref();
  try {
    await yishi.close();
    await redis?.close();
    await database.close();
  } finally {
    unlock();
    process.exit(exitCode);
  }
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

/*
 * Every request, socket.io event and Yjs message is handled inside its own guard, which answers that
 * one sender with a 4xx, an ack error or a close code. What reaches here escaped every guard:
 * - a rejected promise nobody awaited: that operation is over and left no half-done state in
 *   memory, so it is logged (once, as the bug it is) and the process keeps serving everyone;
 * - a thrown exception: it may have stopped in the middle of changing shared state (a document, a
 *   queue), and Node cannot resume safely after it. The process stores what it can within 10 s and
 *   exits with code 1; `pnpm start` starts it again, and clients reconnect and re-send.
 */
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
process.on('uncaughtException', (error, origin) => {
  logger.fatal({ err: error, origin }, 'uncaught exception: restarting');
  void stop('uncaughtException', 1);
});
