import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { expect } from './fixtures.ts';

/** The tablet size the room is checked at. */
export const TABLET = { width: 1024, height: 768 };

/** A host with a live meeting, made through the API (the foundation journey covers the forms). */
export async function hostWithMeeting(request: APIRequestContext, title: string) {
  const username = `host${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  expect((await request.post('/api/auth/signup', { data: { username, password: 'binhu-mingzhu-2025', name: '李书记' } })).status()).toBe(201);
  const community = await (await request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
  const meeting = await (await request.post('/api/meetings', { data: { communityId: community.id, title, kind: 'joint' } })).json();
  expect((await request.patch(`/api/meetings/${meeting.id}`, { data: { status: 'live' } })).status()).toBe(200);
  return meeting as { id: string; joinCode: string };
}

/** `n` tablets joined by code as guests (`who(i)` names them), each on the meeting page with its poll panel shown. */
export async function tablets(
  browser: Browser,
  baseURL: string,
  meeting: { id: string; joinCode: string },
  n: number,
  who: (i: number) => { name: string; affiliation: string } = (i) => ({ name: `居民${i + 1}`, affiliation: 'resident' }),
): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const context = await browser.newContext({ baseURL, viewport: TABLET, locale: 'zh-CN', hasTouch: true });
    expect((await context.request.post('/api/join', { data: { code: meeting.joinCode, ...who(i) } })).status()).toBe(200);
    const page = await context.newPage();
    await page.goto(`/m/${meeting.id}`);
    await expect(page.getByTestId('poll-panel')).toBeVisible();
    pages.push(page);
  }
  return pages;
}
