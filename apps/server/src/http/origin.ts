import type { Config } from '../config.ts';

/**
 * The Origin rule for JSON posts, websocket upgrades and socket.io: a request without Origin
 * (not a browser) passes; a browser's Origin must be this server's own host, PUBLIC_URL, or
 * one of ALLOWED_ORIGINS.
 */
export function isAllowedOrigin(
  origin: string | undefined | null,
  host: string | undefined | null,
  config: Pick<Config, 'publicUrl' | 'allowedOrigins'>,
): boolean {
  if (!origin) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === 'null') return false;
  if (host && parsed.host === host.toLowerCase()) return true;
  if (config.publicUrl && parsed.origin === config.publicUrl.origin) return true;
  return config.allowedOrigins.includes(parsed.origin);
}
