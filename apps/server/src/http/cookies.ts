import { deleteCookie, setCookie } from 'hono/cookie';
import { sessionCookieName } from '../request.ts';
import type { AppContext } from './context.ts';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Path=/, and Secure with __Host- over HTTPS. */
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
