import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { parse as parseCookieHeader } from 'hono/utils/cookie';
import { sessionIdFromToken, validateSessionIds, type SessionValidation } from '@yishi/auth';
import type { Db } from '@yishi/db';
import { pickLocale, type Locale } from '@yishi/model';
import type { Config } from './config.ts';
import { Batcher } from './batch.ts';
import type { Deps } from './deps.ts';

/*
 * One request context for every transport: HTTP (Hono), socket.io handshakes and /yjs upgrades read
 * cookies, the session token, the language and the client address here, once, with functions that
 * are total: whatever bytes arrive in a header, they answer a value (perhaps "none"), never throw.
 */

/** What a request says about who sent it, parsed once. */
export interface RequestContext {
  /** Every cookie that parsed; values are percent-decoded where that is possible. */
  cookies: Readonly<Record<string, string>>;
  /** The session token from the session cookie, if it has the shape of one. */
  sessionToken: string | null;
  /** The reader's language: the web app's cookie, else Accept-Language. */
  locale: Locale;
  /** The client's address (for throttling): the socket's, or the proxy's record of it. */
  clientIp: string;
  /** Whether the Origin (if any) is this server, PUBLIC_URL or an allowed origin. */
  originAllowed: boolean;
}

/** Reads one header; undefined when absent. */
export type HeaderReader = (name: string) => string | undefined;

type ContextConfig = Pick<Config, 'secureCookies' | 'trustProxy' | 'publicUrl' | 'allowedOrigins'>;

/** The session cookie's name: with the __Host- prefix (which requires Secure and Path=/) over HTTPS. */
export function sessionCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-yishi_session' : 'yishi_session';
}

/** The cookie the language switcher writes (Paraglide). */
export const LOCALE_COOKIE = 'PARAGLIDE_LOCALE';

/** Session tokens are 160 bits in lower-case base32 (see @yishi/auth): anything else is not one. */
const SESSION_TOKEN = /^[a-z2-7]{32}$/;

/** Cookies of a Cookie header; a malformed pair or escape is skipped or kept raw, never thrown. */
export function parseCookies(header: string | undefined): Record<string, string> {
  if (!header) return {};
  try {
    return { ...parseCookieHeader(header) };
  } catch {
    // hono's parser is total today; this keeps the promise if a future version is not.
    return {};
  }
}

/** The session token in the cookies, or null when there is none of the right shape. */
export function sessionTokenFrom(cookies: Readonly<Record<string, string>>, config: Pick<Config, 'secureCookies'>): string | null {
  const value = cookies[sessionCookieName(config)];
  return value !== undefined && SESSION_TOKEN.test(value) ? value : null;
}

/** The reader's language: the switcher's cookie wins over the browser's Accept-Language. */
export function localeFrom(cookies: Readonly<Record<string, string>>, acceptLanguage: string | undefined): Locale {
  return pickLocale(cookies[LOCALE_COOKIE] ?? acceptLanguage);
}

/** An address as a throttle key: IPv4-mapped IPv6 as plain IPv4; null when not an IP address. */
export function normalizeIp(value: string | undefined): string | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)?.[1];
  const ip = mapped ?? trimmed;
  return isIP(ip) ? ip.toLowerCase() : null;
}

/**
 * The client's address. Behind a trusted proxy it is the right-most X-Forwarded-For entry: the one
 * our proxy appended. Entries left of it were sent by the client and can say anything.
 */
export function clientAddress(forwardedFor: string | undefined, remoteAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const hops = forwardedFor.split(',');
    const last = normalizeIp(hops[hops.length - 1]);
    if (last) return last;
  }
  return normalizeIp(remoteAddress) ?? 'unknown';
}

/** The last value of a comma-separated header that a proxy may have appended to. */
function lastToken(value: string | undefined): string | undefined {
  const parts = value?.split(',');
  return parts?.[parts.length - 1]?.trim().toLowerCase() || undefined;
}

/**
 * The Origin rule for JSON posts, websocket upgrades and socket.io. A request without Origin (not a
 * browser) passes. A browser's Origin must equal, in scheme, host and port, this server as the
 * request reached it, PUBLIC_URL, or one of ALLOWED_ORIGINS.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  host: string | undefined,
  forwardedProto: string | undefined,
  config: Pick<Config, 'trustProxy' | 'publicUrl' | 'allowedOrigins'>,
): boolean {
  if (origin === undefined) return true;
  const parsed = parseOrigin(origin);
  if (!parsed) return false;
  if (config.publicUrl && parsed === config.publicUrl.origin) return true;
  if (config.allowedOrigins.includes(parsed)) return true;
  if (!host) return false;
  const scheme = (config.trustProxy && lastToken(forwardedProto)) || 'http';
  if (scheme !== 'http' && scheme !== 'https') return false;
  return parsed === parseOrigin(`${scheme}://${host}`);
}

/** The serialized origin of a URL, or null ("null" origins, garbage, non-http schemes). */
function parseOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Builds the context from a header reader and the socket's address. */
export function requestContext(header: HeaderReader, remoteAddress: string | undefined, config: ContextConfig): RequestContext {
  const cookies = parseCookies(header('cookie'));
  return {
    cookies,
    sessionToken: sessionTokenFrom(cookies, config),
    locale: localeFrom(cookies, header('accept-language')),
    clientIp: clientAddress(header('x-forwarded-for'), remoteAddress, config.trustProxy),
    originAllowed: isAllowedOrigin(header('origin'), header('host'), header('x-forwarded-proto'), config),
  };
}

/** The context of a raw Node request (websocket upgrade, socket.io handshake). */
export function nodeRequestContext(req: Pick<IncomingMessage, 'headers' | 'socket'>, config: ContextConfig): RequestContext {
  return requestContext(
    (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    req.socket?.remoteAddress,
    config,
  );
}

/** Session lookups of one database, gathered per macrotask (see Batcher). */
const sessionLoaders = new WeakMap<Db, Batcher<string, SessionValidation | null>>();

/** Who the session belongs to, or null (no token, unknown, expired). */
export async function authenticate(deps: Pick<Deps, 'db'>, context: Pick<RequestContext, 'sessionToken'>): Promise<SessionValidation | null> {
  if (!context.sessionToken) return null;
  let loader = sessionLoaders.get(deps.db);
  if (!loader) {
    loader = new Batcher((ids) => validateSessionIds(deps.db, ids), null);
    sessionLoaders.set(deps.db, loader);
  }
  return loader.load(sessionIdFromToken(context.sessionToken));
}
