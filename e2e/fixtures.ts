import { test as base } from '@playwright/test';

export { expect } from '@playwright/test';

/**
 * A client address of its own per test (198.18.0.0/15 is for tests; the server trusts the proxy
 * header, see global-setup.ts), so per-address limits — 20 signups per 10 minutes — apply to one
 * journey as to one community room, not to the whole suite coming from 127.0.0.1.
 */
function testAddress(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `198.18.${(h >>> 8) & 255}.${h & 255}`;
}

/** `test` with baseURL pointing at the server global-setup.ts started. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.YISHI_BASE_URL;
    if (!url) throw new Error('YISHI_BASE_URL is not set: global-setup.ts did not run');
    await use(url);
  },
  extraHTTPHeaders: async ({}, use, testInfo) => {
    await use({ 'x-forwarded-for': testAddress(`${testInfo.testId}:${testInfo.retry}`) });
  },
});

/** Where screenshots for people to look at go. */
export const artifact = (name: string): string =>
  new URL(`./artifacts/${name}`, import.meta.url).pathname;
