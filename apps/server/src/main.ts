import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '@yishi/db';
import { loadConfig, publicBaseUrl } from './config.ts';
import { createDeps } from './deps.ts';
import { liveLayers } from './layers.ts';
import { createLogger } from './logger.ts';
import { createRedisLink } from './scale/redis.ts';
import { createServer } from './server.ts';

const started = performance.now();
const config = loadConfig();
const logger = createLogger(config.logLevel);

/** PGlite files must have one writer: refuse to start if another live yishi holds DATA_DIR. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'yishi.pid');
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid) {
      process.kill(pid, 0);
      throw new Error(`another yishi (pid ${pid}) is using ${dir}; stop it or choose another DATA_DIR`);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

const unlock = config.databaseUrl ? () => {} : lockDataDir(resolve(config.dataDir));
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: resolve(config.dataDir, 'pg') });
let port = config.port;
// Not awaited: an instance serves its own clients with or without Redis (see /healthz).
const redis = config.redisUrl ? createRedisLink({ url: config.redisUrl, prefix: config.redisPrefix, logger }) : undefined;
const deps = createDeps({ config, database, logger, redis, publicBaseUrl: () => publicBaseUrl(config, port) });
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
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  try {
    await yishi.close();
    await redis?.close();
    await database.close();
  } finally {
    unlock();
    process.exit(0);
  }
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
