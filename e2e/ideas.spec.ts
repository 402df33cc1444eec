import type { Browser, Page } from '@playwright/test';
import { artifact, expect, test } from './fixtures.ts';

// Issue 13: before the meeting — a QR on the notice board, paper slips typed in by a volunteer,
// themes formed and one merge undone, a ranking round with household codes, and the theme's way
// through a meeting and its follow-up to the resident's receipt page and the public board.

const SIZES = [
  { width: 390, height: 844 },
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
];
const SLIPS = ['楼道里堆了很多纸箱', '电动车在楼道充电很危险', '希望增加宠物便袋箱'];
const PHONE_IDEA = '3号楼楼道杂物太多，消防通道被堵';

async function noHorizontalScroll(page: Page, what: string) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no horizontal scroll: ${what}`).toBe(true);
}

async function phonePage(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: SIZES[0], locale: 'zh-CN', isMobile: true, hasTouch: true });
  return { context, page: await context.newPage() };
}

async function shots(page: Page, path: string, name: string) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await noHorizontalScroll(page, `${name} at ${size.width}`);
    await page.screenshot({ path: artifact(`${name}-${size.width}x${size.height}.png`), fullPage: true });
  }
}

test('金点子: a phone idea and three paper slips become a theme, get ranked by households, go to a meeting, and the receipt shows the path', async ({ page, browser, baseURL }) => {
  test.setTimeout(180_000);
  await page.setViewportSize(SIZES[1]!);

  const setup = await test.step('a community worker opens a campaign and imports the unit register', async () => {
    const username = `ideas${Date.now().toString(36)}`;
    expect((await page.request.post('/api/auth/signup', { data: { username, password: 'binhu-mingzhu-2025', name: '李书记' } })).status()).toBe(201);
    const community = await (await page.request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
    const meeting = await (await page.request.post('/api/meetings', { data: { communityId: community.id, title: '十二月楼长有话说', kind: 'building-talk' } })).json();
    await page.goto(`/c/${community.id}/units`);
    await page.getByTestId('units-csv').setInputFiles({
      name: '房屋登记册.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('楼栋,房号,面积,业主,开发商\n1,101,89.50,张,\n1,102,120.25,李,\n1,201,89.50,王,\n1,202,120.25,王,\n2,101,95.00,,是\n2,102,95.00,,是\n3,1201,101.30,赵,\n'),
    });
    await expect(page.getByTestId('units-summary')).toContainText('7 套房屋，专有面积合计 710.80 平方米，业主人数 5');
    await page.screenshot({ path: artifact('ideas-units-1024x768.png'), fullPage: true });

    await page.goto(`/c/${community.id}/ideas`);
    await page.getByTestId('campaign-title-input').fill('小区金点子征集');
    await page.getByTestId('campaign-create').click();
    await expect(page.getByTestId('campaign-organiser')).toBeVisible();
    const url = await page.getByTestId('campaign-url').textContent();
    const campaignId = page.url().split('/').at(-1)!;
    await expect(page.getByTestId('live-status')).toHaveText('实时更新中');
    return { communityId: community.id as string, meetingId: meeting.id as string, url: url!, campaignId };
  });

  const receipt = await test.step('a resident scans the poster on a phone and sends an idea without an account', async () => {
    const poster = await page.context().newPage();
    await poster.setViewportSize(SIZES[2]!);
    await poster.goto(`/c/${setup.communityId}/ideas/${setup.campaignId}/poster`);
    await expect(poster.getByTestId('campaign-qr').locator('svg')).toBeVisible();
    await poster.screenshot({ path: artifact('ideas-poster-1920x1080.png'), fullPage: true });
    await poster.close();

    const { context, page: phone } = await phonePage(browser, baseURL!);
    await phone.goto(new URL(setup.url).pathname);
    await expect(phone.getByTestId('campaign-title')).toHaveText('小区金点子征集');
    await phone.getByTestId('idea-text').fill(PHONE_IDEA);
    await phone.getByTestId('idea-building').fill('3号楼');
    await phone.getByTestId('idea-unit').fill('1201');
    await noHorizontalScroll(phone, 'campaign page on a phone');
    await phone.screenshot({ path: artifact('ideas-submit-390x844.png'), fullPage: true });
    await phone.getByTestId('idea-submit').click();
    const code = (await phone.getByTestId('idea-receipt').textContent())!.replace(/-/g, '');
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
    await phone.screenshot({ path: artifact('ideas-receipt-given-390x844.png'), fullPage: true });
    await context.close();
    // The organiser's list is live: the idea arrives without a reload.
    await expect(page.getByTestId('idea-row').filter({ hasText: PHONE_IDEA })).toBeVisible();
    return code;
  });

  await test.step('a volunteer types in three paper slips, Enter saves and goes to the next', async () => {
    await page.getByTestId('paper-by').fill('志愿者小周');
    await page.getByTestId('paper-building').fill('1号楼');
    for (const slip of SLIPS) {
      await page.getByTestId('paper-text').fill(slip);
      await page.getByTestId('paper-text').press('Enter');
      await expect(page.getByTestId('idea-row').filter({ hasText: slip })).toBeVisible();
      await expect(page.getByTestId('paper-text')).toBeFocused();
      await expect(page.getByTestId('paper-text')).toHaveValue('');
    }
    await expect(page.getByTestId('paper-note')).toContainText('本次共 3 条');
    await expect(page.getByTestId('idea-row').filter({ hasText: SLIPS[0]! })).toContainText('志愿者小周 收集');
    await expect(page.getByTestId('idea-row')).toHaveCount(4);
  });

  await test.step('the organiser merges two ideas into a theme, merges a third, and undoes that merge', async () => {
    const row = (text: string) => page.getByTestId('idea-row').filter({ hasText: text });
    await row(PHONE_IDEA).getByTestId('idea-select').check();
    await row(SLIPS[0]!).getByTestId('idea-select').check();
    await page.getByTestId('theme-title').fill('清理楼道杂物');
    await page.getByTestId('theme-category').fill('环境');
    await page.getByTestId('theme-create').click();
    const theme = page.getByTestId('theme-row').filter({ hasText: '清理楼道杂物' });
    await expect(theme.getByTestId('theme-count')).toHaveText('2 条意见');

    await row(SLIPS[1]!).getByTestId('idea-select').check();
    await page.getByTestId('merge-target').selectOption({ label: '清理楼道杂物' });
    await page.getByTestId('merge-into').click();
    await expect(theme.getByTestId('theme-count')).toHaveText('3 条意见');
    await expect(row(SLIPS[1]!).getByTestId('idea-theme')).toHaveText('清理楼道杂物');
    await page.screenshot({ path: artifact('ideas-organiser-1024x768.png'), fullPage: true });

    await page.getByTestId('move-row').first().getByTestId('move-undo').click();
    await expect(theme.getByTestId('theme-count')).toHaveText('2 条意见');
    await expect(row(SLIPS[1]!).getByTestId('idea-theme')).toHaveCount(0);
    await expect(page.getByTestId('move-row').first()).toContainText('已撤销');
    await expect(page.getByTestId('idea-row')).toHaveCount(4);
  });

  const round = await test.step('a ranking round with household codes: one household answers twice and counts once', async () => {
    await page.getByTestId('round-new').click();
    await page.getByTestId('round-title').fill('2026年实事项目排序');
    await page.getByTestId('round-theme').check();
    await page.getByTestId('round-projects').fill('加装电梯\n更换路灯\n修缮车棚');
    await page.getByTestId('round-create').click();
    await page.getByTestId('round-link').click();
    await expect(page.getByTestId('round-page')).toBeVisible();
    await page.getByTestId('codes-generate').click();
    const roundId = page.url().split('/').at(-1)!;
    await page.getByTestId('slips-link').click();
    await expect(page.getByTestId('slip')).toHaveCount(7);
    await expect(page.getByTestId('slip-sheet')).toHaveCount(1);
    await page.screenshot({ path: artifact('ideas-slips-1024x768.png'), fullPage: true });
    const slip = page.getByTestId('slip').filter({ hasText: '3 · 1201' });
    const code = (await slip.getByTestId('slip-code').textContent())!.replace(/-/g, '');

    const { context, page: phone } = await phonePage(browser, baseURL!);
    await phone.goto(`/rank/${roundId}?code=${code}`);
    await expect(phone.getByTestId('rank-code')).toHaveValue(code);
    // First answer: the order as shown. Then the same household changes its mind.
    await phone.getByTestId('rank-submit').click();
    await expect(phone.getByTestId('rank-done')).toContainText('已计入');
    await phone.getByRole('button', { name: '修改回答' }).click();
    await phone.getByTestId('rank-item').filter({ hasText: '修缮车棚' }).getByTestId('rank-up').click();
    await phone.getByTestId('rank-item').filter({ hasText: '修缮车棚' }).getByTestId('rank-up').click();
    await phone.getByTestId('rank-item').filter({ hasText: '修缮车棚' }).getByTestId('rank-up').click();
    await expect(phone.getByTestId('rank-item').first()).toContainText('修缮车棚');
    await noHorizontalScroll(phone, 'ranking on a phone');
    await phone.screenshot({ path: artifact('ideas-rank-390x844.png'), fullPage: true });
    await phone.getByTestId('rank-submit').click();
    await expect(phone.getByTestId('rank-done')).toContainText('只计一次');
    await context.close();

    await page.goto(`/c/${setup.communityId}/rounds/${roundId}`);
    await expect(page.getByTestId('round-turnout')).toContainText('1 / 7 户已回答');
    await expect(page.getByTestId('score-row').first()).toContainText('修缮车棚');
    await expect(page.getByTestId('building-row')).toHaveCount(1);
    return roundId;
  });

  await test.step('the theme goes onto the meeting agenda; its follow-up is done', async () => {
    await page.goto(`/c/${setup.communityId}/ideas/${setup.campaignId}`);
    await page.getByTestId('theme-row').filter({ hasText: '清理楼道杂物' }).getByTestId('theme-select').check();
    await page.getByTestId('agenda-meeting').selectOption({ label: '十二月楼长有话说' });
    await page.getByTestId('agenda-send').click();
    await expect(page.getByTestId('theme-row').filter({ hasText: '清理楼道杂物' }).getByTestId('theme-status')).toHaveText('已上会讨论');

    const detail = await (await page.request.get(`/api/campaigns/${setup.campaignId}`)).json();
    const agendaItemId = detail.themesList[0].agendaItemId as string;
    await page.goto(`/m/${setup.meetingId}`);
    const item = page.locator(`[data-testid="agenda-item"][data-item-id="${agendaItemId}"]`);
    await expect(item.getByTestId('agenda-title')).toHaveValue('清理楼道杂物');
    await item.getByTestId('agenda-open').click();
    await expect(item.getByText('来自「小区金点子征集」的 2 条居民意见：')).toBeVisible();
    await expect(item.getByText(PHONE_IDEA)).toBeVisible();
    await item.screenshot({ path: artifact('ideas-agenda-item-1024x768.png') });
    const followUp = await (
      await page.request.post(`/api/meetings/${setup.meetingId}/follow-ups`, { data: { title: '物业清理楼道杂物并每月巡查', ownerAffiliation: 'property', agendaItemId } })
    ).json();
    expect((await page.request.patch(`/api/follow-ups/${followUp.id}`, { data: { status: 'done' } })).status()).toBe(200);
  });

  await test.step("the resident's receipt page and the public board tell what happened, without personal data", async () => {
    const { context, page: phone } = await phonePage(browser, baseURL!);
    await phone.goto(`/r/${receipt}`);
    await expect(phone.getByTestId('receipt-text')).toHaveText(PHONE_IDEA);
    await expect(phone.getByTestId('receipt-status')).toHaveText('已办结');
    await expect(phone.locator('[data-step="done"]')).toHaveClass(/reached/);
    await expect(phone.getByTestId('receipt-followups')).toContainText('物业清理楼道杂物并每月巡查');
    await noHorizontalScroll(phone, 'receipt page');
    await context.close();
    await shots(page, `/r/${receipt}`, 'ideas-receipt');
    await shots(page, `/c/${setup.communityId}/board`, 'ideas-board');
    const board = page.getByTestId('board-ideas');
    await expect(board.getByTestId('public-theme').filter({ hasText: '清理楼道杂物' })).toHaveAttribute('data-status', 'done');
    for (const privateText of ['1201', '志愿者小周', '李书记', PHONE_IDEA]) await expect(board).not.toContainText(privateText);
    await shots(page, `/c/${setup.communityId}/ideas/${setup.campaignId}`, 'ideas-organiser');
    await shots(page, `/c/${setup.communityId}/rounds/${round}`, 'ideas-round');
    await shots(page, new URL(setup.url).pathname, 'ideas-campaign');
  });
});
