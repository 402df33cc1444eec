import type { Page } from '@playwright/test';
import { artifact, expect, test } from './fixtures.ts';
import { hostWithMeeting, TABLET, tablets } from './meetings.ts';

/** Building leaders on the tablets: three residents' reps, the rest from the committee. */
const LEADERS = (i: number) => ({ name: `楼长${i + 1}`, affiliation: i < 3 ? 'resident' : 'committee' });
const CANDIDATES = ['張書記', '劉委員', '陳主任', '周委員', '趙樓長', '孫樓長', '吳樓長', '鄭阿姨'];

async function noHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

// Issue 4 "done": a host elects 5 of 8 by secret ballot with 6 tablets, then passes a motion by two thirds.
test('an election of 5 among 8 with six tablets, the board shows turnout then the result, receipts verify; then a two-thirds motion', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(TABLET);
  const meeting = await hostWithMeeting(page.request, '议事会选举');
  await page.goto(`/m/${meeting.id}`);
  const board = await page.context().newPage();
  await board.setViewportSize({ width: 1920, height: 1080 });
  await board.goto(`/m/${meeting.id}/board`);
  await expect(board.getByTestId('board')).toBeVisible();
  const voters = await tablets(browser, baseURL!, meeting, 6, LEADERS);

  await test.step('the host prepares the election in a dialog and opens it', async () => {
    await page.getByTestId('poll-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('poll-kind').click();
    await page.getByRole('option', { name: '选举' }).click();
    await dialog.getByLabel('表决事项').fill('選舉議事會成員');
    await dialog.getByTestId('poll-options').fill(CANDIDATES.join('\n'));
    await dialog.getByTestId('poll-seats').fill('5');
    await expect(dialog.getByTestId('poll-secret')).toHaveAttribute('data-state', 'checked');
    await dialog.getByTestId('poll-create').click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('poll-card').filter({ hasText: '選舉議事會成員' });
    await card.getByTestId('poll-open').click();
    await expect(card).toHaveAttribute('data-status', 'open');
  });

  await test.step('the board shows turnout only', async () => {
    await expect(board.getByTestId('board-turnout')).toHaveText('已投 0 / 7');
    await expect(board.getByTestId('poll-result')).toHaveCount(0);
  });

  const receipts: string[] = [];
  await test.step('six tablets see the rules, pick up to five, confirm and get a receipt', async () => {
    for (const [i, tablet] of voters.entries()) {
      const card = tablet.getByTestId('poll-card').filter({ hasText: '選舉議事會成員' });
      await expect(card.getByTestId('vote-form')).toContainText('8 人中最多选 5 人');
      await expect(card.getByTestId('vote-form')).toContainText('不记名投票');
      // The first five candidates get every vote; 趙樓長 and 孫樓長 split the fifth seat 4:2.
      const picks = [0, 1, 2, 3, i < 4 ? 4 : 5];
      for (const p of picks) await card.getByRole('button', { name: CANDIDATES[p], exact: true }).click();
      await expect(card.getByTestId('vote-counter')).toHaveText('已选 5 / 5');
      // A sixth pick is not possible.
      await expect(card.getByRole('button', { name: CANDIDATES[7], exact: true })).toBeDisabled();
      await card.getByTestId('vote-next').click();
      await expect(card.getByTestId('vote-summary')).toContainText(CANDIDATES[0]!);
      await card.getByTestId('vote-cast').click();
      const code = card.getByTestId('receipt-code');
      await expect(code).toHaveText(/^[23456789A-Z]{8}$/);
      receipts.push((await code.textContent())!);
      if (i === 0) await tablet.screenshot({ path: artifact('tablet-vote-1024x768.png'), fullPage: true });
    }
    await expect(board.getByTestId('board-turnout')).toHaveText('已投 6 / 7');
  });

  await test.step('the host closes; the board shows the result at once, the receipts verify', async () => {
    await page.getByTestId('poll-card').filter({ hasText: '選舉議事會成員' }).getByTestId('poll-close').click();
    await expect(board.getByTestId('poll-outcome')).toHaveText('当选：張書記、劉委員、陳主任、周委員、趙樓長');
    await expect(board.getByTestId('poll-count')).toHaveText(['6', '6', '6', '6', '4', '2', '0', '0']);
    await noHorizontalScroll(board);
    await board.screenshot({ path: artifact('board-result-1920x1080.png') });
    for (const [i, tablet] of voters.entries()) {
      const card = tablet.getByTestId('poll-card').filter({ hasText: '選舉議事會成員' });
      await expect(card.getByTestId('receipt-check')).toHaveText(`我的回执 ${receipts[i]} 在列表中 ✓`);
    }
    const list = voters[0]!.getByTestId('receipt-list').first();
    for (const r of receipts) await expect(list).toContainText(r);
  });

  await test.step('a two-thirds motion passes 5 to 1', async () => {
    await page.getByTestId('poll-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('poll-kind').click();
    await page.getByRole('option', { name: '议案表决' }).click();
    await dialog.getByLabel('表决事项').fill('同意增設電動車充電樁');
    await dialog.getByTestId('poll-rule').click();
    await page.getByRole('option', { name: '赞成达到投票数的三分之二（含弃权）' }).click();
    await dialog.getByTestId('poll-create').click();
    const hostCard = page.getByTestId('poll-card').filter({ hasText: '同意增設電動車充電樁' });
    await hostCard.getByTestId('poll-open').click();
    for (const [i, tablet] of voters.entries()) {
      const card = tablet.getByTestId('poll-card').filter({ hasText: '同意增設電動車充電樁' });
      await card.getByRole('button', { name: i < 5 ? '赞成' : '反对', exact: true }).click();
      await card.getByTestId('vote-cast').click();
      await expect(card.getByTestId('receipt-code')).toBeVisible();
    }
    await expect(board.getByTestId('board-turnout')).toHaveText('已投 6 / 7');
    await hostCard.getByTestId('poll-close').click();
    await expect(board.getByTestId('poll-outcome')).toHaveText('通过');
    await expect(board.getByTestId('poll-count')).toHaveText(['5', '1', '0']);
    await expect(hostCard.getByTestId('poll-outcome')).toHaveText('通过');
  });

  for (const tablet of voters) await tablet.context().close();
});

// Issue 12: the receipt is kept on the voter's own device, so closing the tab or reloading loses nothing.
test('a voter closes the tab and reopens it: the receipt is still shown, and after close whether it was counted', async ({ page, browser, baseURL }) => {
  test.setTimeout(90_000);
  await page.setViewportSize(TABLET);
  const meeting = await hostWithMeeting(page.request, '议事会选举');
  await page.goto(`/m/${meeting.id}`);
  const [tablet] = await tablets(browser, baseURL!, meeting, 1, LEADERS);
  const context = tablet!.context();

  await page.getByTestId('poll-new').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('poll-kind').click();
  await page.getByRole('option', { name: '议案表决' }).click();
  await dialog.getByLabel('表决事项').fill('是否同意更換電梯');
  await dialog.getByTestId('poll-create').click();
  const hostCard = page.getByTestId('poll-card').filter({ hasText: '是否同意更換電梯' });
  await hostCard.getByTestId('poll-open').click();
  // Two eligible voters in a secret poll: the host confirms the small group.
  await hostCard.getByTestId('poll-open-anyway').click();
  await expect(hostCard).toHaveAttribute('data-status', 'open');

  const card = (p: Page) => p.getByTestId('poll-card').filter({ hasText: '是否同意更換電梯' });
  await card(tablet!).getByRole('button', { name: '赞成', exact: true }).click();
  await card(tablet!).getByTestId('vote-cast').click();
  const code = (await card(tablet!).getByTestId('receipt-code').textContent())!;
  expect(code).toMatch(/^[23456789A-Z]{8}$/);
  await expect(card(tablet!).getByTestId('receipt-line')).toHaveText(`你的回执：${code}`);
  await expect(card(tablet!).getByRole('note')).toContainText('请记下这个回执码');

  // The tab is closed; the voter opens the meeting again in a new tab of the same browser.
  await tablet!.close();
  const again = await context.newPage();
  await again.goto(`/m/${meeting.id}`);
  await expect(card(again).getByTestId('receipt-line')).toHaveText(`你的回执：${code}`);

  // The host votes too (otherwise a unanimous result of one would need confirming).
  await hostCard.getByRole('button', { name: '反对', exact: true }).click();
  await hostCard.getByTestId('vote-cast').click();
  await expect(hostCard.getByTestId('receipt-code')).toBeVisible();
  await hostCard.getByTestId('poll-close').click();
  await expect(card(again)).toHaveAttribute('data-status', 'closed');
  await again.reload();
  await expect(card(again).getByTestId('receipt-line')).toHaveText(`你的回执：${code}`);
  await expect(card(again).getByTestId('receipt-check')).toHaveText(`我的回执 ${code} 在列表中 ✓`);
  await expect(card(again).getByTestId('receipt-list')).toContainText(code);
  await context.close();
});

// Issue 12: a Borda ranking with equal scores marks the tie on the board and never orders tied
// options silently (宠物粪便 and 高空抛物 both on 5 points share 1st place).
test('a ranking tie on the board: equal scores share a place and are marked 并列', async ({ page, browser, baseURL }) => {
  test.setTimeout(90_000);
  await page.setViewportSize(TABLET);
  const meeting = await hostWithMeeting(page.request, '议事会选举');
  await page.goto(`/m/${meeting.id}`);
  const board = await page.context().newPage();
  await board.setViewportSize({ width: 1920, height: 1080 });
  await board.goto(`/m/${meeting.id}/board`);
  const voters = await tablets(browser, baseURL!, meeting, 2, LEADERS);
  const options = ['宠物粪便', '高空抛物', '违规停车', '夜间噪音'];

  await page.getByTestId('poll-new').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('poll-kind').click();
  await page.getByRole('option', { name: '排序' }).click();
  await dialog.getByLabel('表决事项').fill('楼道问题先后');
  await dialog.getByTestId('poll-options').fill(options.join('\n'));
  await dialog.getByTestId('poll-secret').click();
  await dialog.getByTestId('poll-create').click();
  const hostCard = page.getByTestId('poll-card').filter({ hasText: '楼道问题先后' });
  await hostCard.getByTestId('poll-open').click();
  await expect(hostCard).toHaveAttribute('data-status', 'open');

  // Borda with 4 options: 3, 2, 1, 0 points. 宠物粪便 3 + 2, 高空抛物 2 + 3, 违规停车 1 + 0, 夜间噪音 0 + 1.
  const orders = [
    ['宠物粪便', '高空抛物', '违规停车', '夜间噪音'],
    ['高空抛物', '宠物粪便', '夜间噪音', '违规停车'],
  ];
  for (const [i, tablet] of voters.entries()) {
    const card = tablet.getByTestId('poll-card').filter({ hasText: '楼道问题先后' });
    for (const name of orders[i]!) await card.getByRole('button', { name: new RegExp(name) }).click();
    await card.getByTestId('vote-next').click();
    await card.getByTestId('vote-cast').click();
    await expect(card.getByTestId('my-receipt')).toBeVisible();
  }
  await hostCard.getByTestId('poll-close').click();

  const result = board.getByTestId('poll-result');
  await expect(result.getByTestId('poll-outcome')).toContainText('并列');
  const rows = result.locator('li[data-place]');
  await expect(rows).toHaveCount(4);
  // Both leaders share place 1, both last share place 3; each tied row says so.
  await expect(rows.filter({ hasText: '宠物粪便' })).toHaveAttribute('data-place', '1');
  await expect(rows.filter({ hasText: '高空抛物' })).toHaveAttribute('data-place', '1');
  await expect(rows.filter({ hasText: '违规停车' })).toHaveAttribute('data-place', '3');
  await expect(rows.filter({ hasText: '夜间噪音' })).toHaveAttribute('data-place', '3');
  await expect(result.getByTestId('poll-tie')).toHaveCount(4);
  await expect(result.getByTestId('poll-count')).toHaveText(['5', '5', '1', '1']);
  await board.screenshot({ path: artifact('board-ranking-tie-1920x1080.png') });
});
