import type { Page } from '@playwright/test';
import { artifact, expect, test } from './fixtures.ts';

// RFC 3797 section 6: its 25 volunteers, its three public values, its ten selected in order.
const VOLUNTEERS = 'John Mary Bashful Dopey Sleepy Grouchy Doc Sneazy Handsome Cassandra Pollyanna Pendragon Pandora Faith Hope Charity Lee Longsuffering Chastity Smith Pride Sloth Envy Anger Kasczynski'.split(' ');
const RFC_RESULT = ['Lee', 'Doc', 'Mary', 'Charity', 'Kasczynski', 'Envy', 'Sneazy', 'Anger', 'Chastity', 'Pandora'];
const SOURCE = '11月21日福彩3D开奖号码、当晚体彩排列5、见证人报出的六个数';

async function noHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

test('a draw by lot: announced with its list and seed source, seeded once, shown on the board, recomputed on a public page', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 768 });
  const username = `drawhost${Date.now().toString(36)}`;
  expect((await page.request.post('/api/auth/signup', { data: { username, password: 'binhu-mingzhu-2025', name: '李书记' } })).status()).toBe(201);
  const community = await (await page.request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
  const meeting = await (await page.request.post('/api/meetings', { data: { communityId: community.id, title: '公共空间议事会', kind: 'joint' } })).json();
  expect((await page.request.patch(`/api/meetings/${meeting.id}`, { data: { status: 'live' } })).status()).toBe(200);

  await page.goto(`/m/${meeting.id}`);
  const board = await page.context().newPage();
  await board.setViewportSize({ width: 1920, height: 1080 });
  await board.goto(`/m/${meeting.id}/board`);
  await expect(board.getByTestId('board')).toBeVisible();

  // A resident's phone in the room: sees the draw, cannot seed it.
  const phoneContext = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', hasTouch: true });
  expect((await phoneContext.request.post('/api/join', { data: { code: meeting.joinCode, name: '王阿姨', affiliation: 'resident' } })).status()).toBe(200);
  const phone = await phoneContext.newPage();
  await phone.goto(`/m/${meeting.id}`);
  await expect(phone.getByTestId('draw-panel')).toBeVisible();
  await expect(phone.getByTestId('draw-new')).toHaveCount(0);

  await test.step('the host announces the list, the number to draw and the seed source', async () => {
    await page.getByTestId('draw-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('draw-title').fill('议事代表抽签');
    await dialog.getByTestId('draw-entries').fill(VOLUNTEERS.join('\n'));
    await expect(dialog).toContainText('共 25 项');
    await dialog.getByTestId('draw-winners').fill('10');
    await dialog.getByTestId('draw-source').fill(SOURCE);
    await dialog.getByTestId('draw-create').click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('draw-card');
    await expect(card).toContainText('从 25 项中抽出 10 项');
    await expect(card.getByTestId('draw-card-source')).toHaveText(SOURCE);
    await expect(card).toContainText('等待公布随机数');
  });

  await test.step('the board and the phone show the frozen list and the announced source', async () => {
    await expect(board.getByTestId('board-draw-source')).toHaveText(SOURCE);
    await expect(board.getByTestId('board-draw-entries').locator('li')).toHaveCount(25);
    await expect(board.getByTestId('board-draw')).toContainText('等待公布随机数');
    await expect(phone.getByTestId('draw-card-source')).toHaveText(SOURCE);
    await expect(phone.getByTestId('draw-seed')).toHaveCount(0);
    await board.screenshot({ path: artifact('draw-board-announced-1920.png') });
    await noHorizontalScroll(phone);
  });

  await test.step('an unreadable seed is explained; the published values draw the RFC’s answer', async () => {
    const card = page.getByTestId('draw-card');
    await card.getByTestId('draw-seed').fill('3291.75');
    await card.getByTestId('draw-seed-submit').click();
    await expect(card).toContainText('无法识别“3291.75”：公开随机数只能是整数');
    await card.getByTestId('draw-seed').fill('9319\n2 5 12 8 10\n9 18 26 34 41 45');
    await card.getByTestId('draw-seed-submit').click();
    await expect(card.getByTestId('draw-card-result').locator('li')).toHaveText(RFC_RESULT);
    await expect(card).toContainText('9319./2.5.8.10.12./9.18.26.34.41.45./');
    await expect(card.getByTestId('draw-seed')).toHaveCount(0);
    await expect(board.getByTestId('board-draw-result').locator('li')).toHaveText(RFC_RESULT);
    await expect(phone.getByTestId('draw-card-result').locator('li')).toHaveText(RFC_RESULT);
    await page.screenshot({ path: artifact('draw-room-1024.png'), fullPage: true });
    await board.screenshot({ path: artifact('draw-board-result-1920.png') });
    await phone.screenshot({ path: artifact('draw-room-390.png'), fullPage: true });
    await noHorizontalScroll(page);
    await noHorizontalScroll(phone);
  });

  const href = await page.getByTestId('draw-verify-link').getAttribute('href');
  expect(href).toMatch(/^\/d\/[a-z2-7]+$/);

  await test.step('anyone, with no account, recomputes the draw in their browser: 结果一致', async () => {
    for (const viewport of [{ width: 390, height: 844 }, { width: 1024, height: 768 }, { width: 1920, height: 1080 }]) {
      const context = await browser.newContext({ baseURL, viewport, locale: 'zh-CN' });
      const resident = await context.newPage();
      await resident.goto(href!);
      await expect(resident.getByTestId('draw-verdict')).toHaveAttribute('data-verdict', 'match');
      await expect(resident.getByTestId('draw-verdict')).toContainText('结果一致');
      await expect(resident.getByTestId('draw-public-result').locator('li')).toHaveText(RFC_RESULT);
      await expect(resident.getByTestId('draw-public-entries').locator('li')).toHaveCount(25);
      await expect(resident.getByTestId('draw-public-key')).toHaveText('9319./2.5.8.10.12./9.18.26.34.41.45./');
      await expect(resident.getByTestId('draw-public-source')).toHaveText(SOURCE);
      await noHorizontalScroll(resident);
      await resident.screenshot({ path: artifact(`draw-public-${viewport.width}.png`), fullPage: true });
      await context.close();
    }
    const tw = await browser.newContext({ baseURL, locale: 'zh-TW' });
    const twPage = await tw.newPage();
    await twPage.goto(href!);
    await expect(twPage.getByTestId('draw-verdict')).toContainText('結果一致');
    await tw.close();
  });

  await test.step('a published result that does not follow from the inputs is called a mismatch', async () => {
    const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const resident = await context.newPage();
    await resident.route('**/api/public/draws/*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.result = [...body.result].reverse();
      await route.fulfill({ response, json: body });
    });
    await resident.goto(href!);
    await expect(resident.getByTestId('draw-verdict')).toHaveAttribute('data-verdict', 'mismatch');
    await expect(resident.getByTestId('draw-verdict')).toContainText(`你的浏览器算出：${RFC_RESULT.join('、')}`);
    await context.close();
  });

  await phoneContext.close();
});
