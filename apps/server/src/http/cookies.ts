import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.ts';
import type { AppContext } from './context.ts';

/** Cookie name: with the __Host- prefix (which requires Secure and Path=/) when served over HTTPS. */
export function sessionCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-yishi_session' : 'yishi_session';
}

/** Reads the session token from a raw Cookie header (used at websocket upgrades too). */
export function sessionTokenFromHeader(cookieHeader: string | undefined, config: Pick<Config, 'secureCookies'>): string | null {
  if (!cookieHeader) return null;
  const name = sessionCookieName(config);
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export function readSessionCookie(c: AppContext): string | undefined {
  return getCookie(c, sessionCookieName(c.var.deps.config));
}

export function writeSessionCookie(c: AppContext, token: string, expiresAt: Date): void {
  const { config } = c.var.deps;
  setCookie(c, sessionCookieName(config), token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: config.secureCookies,
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: AppContext): void {
  const { config } = c.var.deps;
  deleteCookie(c, sessionCookieName(config), { path: '/', secure: config.secureCookies, httpOnly: true, sameSite: 'Lax' });
}
