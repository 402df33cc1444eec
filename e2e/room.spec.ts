import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { artifact, expect, test } from './fixtures.ts';

const PREFIXES = ['poll_', 'board_', 'room_', 'queue_', 'demo_', 'facil_'];
const messages = (locale: string) =>
  JSON.parse(readFileSync(new URL(`../apps/web/messages/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>;

async function noHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

/** Every button and link on the page is at least 44×44 px (touch targets). */
async function touchTargetsOk(page: Page, scope: string) {
  const small = await page.evaluate((selector) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(`${selector} button, ${selector} a.btn, ${selector} select`)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 43.5 || r.width < 43.5) out.push(`${el.textContent?.trim()} ${r.width}x${r.height}`);
    }
    return out;
  }, scope);
  expect(small).toEqual([]);
}

// Issue 5 "done": open the demo from the start page, project the board, join from a tablet and a phone.
test('demo from the start page; the board follows the facilitator; a tablet raises a hand; a phone follows; languages switch', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 768 });

  await test.step('a newcomer opens the demo meeting from the start page and lands in it as host', async () => {
    await page.goto('/');
    await page.getByTestId('demo-open').click();
    await expect(page).toHaveURL(/\/m\/[^/]+$/);
    await expect(page.getByTestId('meeting-title')).toHaveText('楼长有话说');
    await expect(page.getByTestId('my-role')).toHaveText('你的身份：主持人');
    await expect(page.getByTestId('poll-card').filter({ hasText: '选举议事会成员（5名）' })).toHaveAttribute('data-status', 'closed');
    await expect(page.getByTestId('attendance-quorum')).toHaveText('已达到到会人数要求（7 人）');
  });
  const meetingPath = new URL(page.url()).pathname;

  const board = await page.context().newPage();
  await board.setViewportSize({ width: 1920, height: 1080 });
  await test.step('the board (1920×1080) shows the item in focus, big, with the join code and the election result', async () => {
    await board.goto(`${meetingPath}/board`);
    await expect(board.getByTestId('focus-title')).toHaveText('规范停车');
    await expect(board.getByTestId('focus-countdown')).toHaveText(/\d+:\d\d/);
    const size = await board.getByTestId('focus-title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(48);
    await expect(board.getByTestId('board-qr').locator('svg')).toBeVisible();
    await expect(board.getByTestId('poll-outcome')).toContainText('当选：');
    await noHorizontalScroll(board);
  });

  await test.step('the host sets the focus; the board follows', async () => {
    await page.getByTestId('facil-focus').selectOption({ label: '2. 文明养宠' });
    await expect(board.getByTestId('focus-title')).toHaveText('文明养宠');
    await page.getByTestId('facil-timer-start').click();
    await expect(board.getByTestId('focus-countdown')).toHaveText(/^剩余时间(10:00|9:\d\d)\s*$/);
  });

  const code = (await page.getByTestId('join-code-display').getAttribute('data-code'))!;
  const tabletContext = await browser.newContext({ baseURL, viewport: { width: 1024, height: 768 }, locale: 'zh-CN', hasTouch: true });
  const tablet = await tabletContext.newPage();
  await test.step('a tablet joins and raises a hand; the board queue shows it; the host calls it', async () => {
    await tablet.goto(`/join/${code}`);
    await tablet.getByTestId('join-name').fill('6号楼钱楼长');
    await tablet.getByTestId('affiliation-resident').click();
    await tablet.getByTestId('join-submit').click();
    await expect(tablet).toHaveURL(new RegExp(`${meetingPath}$`));
    await expect(tablet.getByTestId('follow-view').getByTestId('focus-title')).toHaveText('文明养宠');
    await tablet.getByTestId('queue-raise').click();
    await expect(board.getByTestId('board-queue')).toContainText('6号楼钱楼长');
    await expect(tablet.getByTestId('queue-lower')).toBeVisible();
    await page.getByTestId('queue-limit').fill('2');
    await page.getByTestId('queue-next').click();
    await expect(board.getByTestId('board-queue').locator('.speaker')).toContainText('6号楼钱楼长');
    await expect(tablet.getByTestId('live-announcement')).toHaveText('请 6号楼钱楼长 发言');
    await noHorizontalScroll(tablet);
    await touchTargetsOk(tablet, 'main');
    await tablet.screenshot({ path: artifact('room-tablet-1024x768.png'), fullPage: true });
    await board.screenshot({ path: artifact('board-1920x1080.png') });
  });

  const phoneContext = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const phone = await phoneContext.newPage();
  await test.step('a remote member on a phone follows the room', async () => {
    await phone.goto(`/join/${code}`);
    await phone.getByTestId('join-name').fill('在外地的周委员');
    await phone.getByTestId('affiliation-committee').click();
    await phone.getByTestId('join-submit').click();
    await expect(phone.getByTestId('follow-view').getByTestId('focus-title')).toHaveText('文明养宠');
    await page.getByTestId('facil-next').click();
    await expect(phone.getByTestId('follow-view').getByTestId('focus-title')).toHaveText('清理楼道杂物');
    await expect(board.getByTestId('focus-title')).toHaveText('清理楼道杂物');
    await noHorizontalScroll(phone);
    await touchTargetsOk(phone, 'main');
    await phone.screenshot({ path: artifact('room-phone-390x844.png'), fullPage: true });
  });

  await test.step('switching the language changes every string of the room; no raw keys show', async () => {
    const zh = messages('zh-CN');
    const en = messages('en');
    const mine = Object.keys(zh).filter((k) => PREFIXES.some((p) => k.startsWith(p)));
    // Fixed strings (no placeholders) that are in Chinese only.
    const chinese = mine.filter((k) => !zh[k]!.includes('{') && zh[k]!.length >= 2 && zh[k] !== en[k]).map((k) => zh[k]!);
    const before = await tablet.locator('main').innerText();
    expect(chinese.some((text) => before.includes(text))).toBe(true);
    await tablet.getByTestId('lang-en').click();
    await expect(tablet.getByTestId('queue-panel').getByRole('heading')).toHaveText('Speaker queue');
    const after = await tablet.locator('main').innerText();
    expect(after).not.toMatch(/\b(poll|board|room|queue|demo|facil)_[a-z_]+/);
    // The demo's own data (made in zh-CN: 滨湖明珠社区, 楼长有话说…) stays as written; only UI strings switch.
    const data = ['滨湖明珠社区（演示）', '楼长有话说', '社区党群服务中心', '选举议事会成员'];
    expect(chinese.filter((text) => after.includes(text) && !data.some((d) => d.includes(text)))).toEqual([]);
    await noHorizontalScroll(tablet);
    await board.getByTestId('board-contrast').click();
    await board.reload();
    await expect(board.getByTestId('board-contrast')).toHaveAttribute('aria-pressed', 'true');
  });

  await phoneContext.close();
  await tabletContext.close();
});
