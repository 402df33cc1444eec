import { existsSync } from 'node:fs';

/** Flags for the system Chromium in a benchmark: no sandbox (containers), no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The system Chromium (never downloaded); CHROMIUM_PATH overrides. */
export function chromiumPath(): string | null {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** A Cookie header (as the API client keeps it) as Playwright cookies for the server's host. */
export function cookiesFor(
  baseUrl: string,
  header: string,
): { name: string; value: string; domain: string; path: string }[] {
  const { hostname } = new URL(baseUrl);
  return header
    .split(/;\s*/)
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: hostname, path: '/' };
    });
}
