import { networkInterfaces } from 'node:os';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  /** The server secret that seals open secret ballots (at least 32 characters); or YISHI_SECRET_FILE. */
  YISHI_SECRET: z.string().optional(),
  YISHI_SECRET_FILE: z.string().optional(),
  /** Prefix of every Redis key and channel: deployments (and test runs) sharing one Redis never cross-talk. */
  REDIS_PREFIX: z.string().min(1).max(64).default('yishi:'),
  PUBLIC_URL: z.string().url().optional(),
  /** Extra origins allowed to post JSON and open sockets, comma-separated. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Believe X-Forwarded-For / X-Forwarded-Proto (only behind a reverse proxy you run). */
  TRUST_PROXY: z.enum(['true', 'false', '1', '0']).optional(),
  /** The SvelteKit build (adapter-node output) to serve pages from. */
  WEB_BUILD_DIR: z.string().optional(),
  /** Largest Yjs websocket message in bytes. */
  YJS_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  /** YISHI_SECRET: never logged, never stored in the database (see secret.ts). */
  secret: string | undefined;
  secretFile: string | undefined;
  /** Base for join links and QR codes. Never localhost when derived. */
  publicUrl: URL | undefined;
  allowedOrigins: string[];
  trustProxy: boolean;
  webBuildDir: string | undefined;
  yjsMaxMessageBytes: number;
  logLevel: string;
  /** Cookies get Secure and the __Host- prefix when the public address is HTTPS. */
  secureCookies: boolean;
}

/** Reads and validates the environment; throws with a readable list of what is wrong. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL ? new URL(e.PUBLIC_URL) : undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    secret: e.YISHI_SECRET,
    secretFile: e.YISHI_SECRET_FILE,
    publicUrl,
    allowedOrigins: (e.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => new URL(s).origin),
    trustProxy: e.TRUST_PROXY === 'true' || e.TRUST_PROXY === '1',
    webBuildDir: e.WEB_BUILD_DIR,
    yjsMaxMessageBytes: e.YJS_MAX_MESSAGE_BYTES,
    logLevel: e.LOG_LEVEL,
    secureCookies: publicUrl?.protocol === 'https:',
  };
}

/** The first non-internal IPv4 address: what tablets on the same Wi-Fi can reach. */
export function lanAddress(): string | undefined {
  const candidates: string[] = [];
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) candidates.push(info.address);
    }
  }
  // Prefer private LAN ranges over e.g. a VPN's public address.
  return candidates.find((a) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a)) ?? candidates[0];
}

/** The base URL printed in join links: PUBLIC_URL, else http://<LAN address>:<port>. */
export function publicBaseUrl(config: Config, port: number): URL {
  if (config.publicUrl) return config.publicUrl;
  const host = lanAddress();
  if (host) return new URL(`http://${host}:${port}`);
  // No LAN at all (e.g. an isolated container): the host name is still better than localhost.
  return new URL(`http://${process.env.HOSTNAME ?? 'yishi.local'}:${port}`);
}
