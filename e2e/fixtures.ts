import { test as base } from '@playwright/test';

export { expect } from '@playwright/test';

/** `test` with baseURL pointing at the server global-setup.ts started. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.YISHI_BASE_URL;
    if (!url) throw new Error('YISHI_BASE_URL is not set: global-setup.ts did not run');
    await use(url);
  },
});

/** Where screenshots for people to look at go. */
export const artifact = (name: string): string =>
  new URL(`./artifacts/${name}`, import.meta.url).pathname;
