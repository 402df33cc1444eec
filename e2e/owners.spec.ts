import type { Page } from '@playwright/test';
import { formatArea, percentOf } from '@yishi/model';
import { artifact, expect, test } from './fixtures.ts';

const TABLET = { width: 1024, height: 768 };

/**
 * A 900-unit register (15 buildings × 20 floors × 3 units): buildings 1–10 sold, one owner per
 * unit except 王师傅 who owns 1-102 and 1-103; buildings 11–15 still the developer's.
 */
function register(): { csv: string; area: Map<string, number> } {
  const area = new Map<string, number>();
  const lines = ['楼栋,房号,面积,业主,开发商'];
  let n = 0;
  for (let b = 1; b <= 15; b++)
    for (let floor = 1; floor <= 20; floor++)
      for (let k = 1; k <= 3; k++) {
        const unit = `${floor}0${k}`;
        const hundredths = [8950, 12025, 9500][k - 1]! + ((b * 7 + floor) % 5) * 25;
        const label = `${b}-${unit}`;
        area.set(label, hundredths);
        const owner = b > 10 ? '' : label === '1-103' ? '王师傅' : label === '1-102' ? '王师傅' : `业主${++n}`;
        lines.push(`${b},${unit},${formatArea(hundredths)},${owner},${b > 10 ? '是' : ''}`);
      }
  return { csv: lines.join('\n'), area };
}

async function noHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

// Issue 14: an owners' straw poll over a 900-unit register, owners bound at check-in (one by
// proxy), tablets voting, paper ballots added by unit, the double count on tablet, board and minutes.
test("an owners' straw poll over 900 units: check-in binds units, tablets vote, paper ballots are added, both counts shown", async ({ page, browser, baseURL }) => {
  test.setTimeout(150_000);
  await page.setViewportSize(TABLET);
  const username = `owners${Date.now().toString(36)}`;
  expect((await page.request.post('/api/auth/signup', { data: { username, password: 'binhu-mingzhu-2025', name: '李书记' } })).status()).toBe(201);
  const community = await (await page.request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
  const meeting = await (await page.request.post('/api/meetings', { data: { communityId: community.id, title: '加装电梯摸底会', kind: 'joint' } })).json();
  expect((await page.request.patch(`/api/meetings/${meeting.id}`, { data: { status: 'live' } })).status()).toBe(200);
  const { csv, area } = register();
  const put = await page.request.put(`/api/communities/${community.id}/units`, { data: csv, headers: { 'content-type': 'text/csv; charset=utf-8' } });
  expect(await put.json()).toMatchObject({ units: 900 });
  const totalArea = [...area.values()].reduce((a, b) => a + b, 0);
  // 600 sold units with 599 owners (王师傅 has two), and the developer as one person.
  const totalHeads = 600;

  const names = ['张阿姨', '王师傅', '小李（受李先生委托）'];
  const voters: Page[] = [];
  for (const name of names) {
    const context = await browser.newContext({ baseURL, viewport: TABLET, locale: 'zh-CN', hasTouch: true });
    expect((await context.request.post('/api/join', { data: { code: meeting.joinCode, name, affiliation: 'resident' } })).status()).toBe(200);
    const tablet = await context.newPage();
    await tablet.goto(`/m/${meeting.id}`);
    await expect(tablet.getByTestId('poll-panel')).toBeVisible();
    voters.push(tablet);
  }
  await page.goto(`/m/${meeting.id}`);
  const board = await page.context().newPage();
  await board.setViewportSize({ width: 1920, height: 1080 });
  await board.goto(`/m/${meeting.id}/board`);

  const rowOf = (name: string) => page.getByTestId('participants').locator('li').filter({ hasText: name });

  await test.step('check-in: the host binds each owner to their units; one owner’s two units go together; a proxy is marked', async () => {
    const bind = async (name: string, search: string, tick: string, proxy = false) => {
      await rowOf(name).getByRole('button', { name: '房屋' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('units-search').fill(search);
      await dialog.getByTestId(`unit-${tick}`).check();
      if (proxy) await dialog.getByTestId(`unit-proxy-${tick}`).check();
      return dialog;
    };
    let dialog = await bind('张阿姨', '1-101', '1-101');
    await dialog.getByTestId('units-save').click();
    await expect(dialog).toBeHidden();
    await expect(rowOf('张阿姨').getByTestId('participant-units')).toHaveText('代表：1-101');

    dialog = await bind('王师傅', '王师傅', '1-102');
    // Ticking one of 王师傅's units ticks the other: one owner is one person.
    await expect(dialog.getByTestId('unit-1-103')).toBeChecked();
    await page.screenshot({ path: artifact('owners-bind-1024x768.png') });
    await dialog.getByTestId('units-save').click();
    await expect(rowOf('王师傅').getByTestId('participant-units')).toHaveText('代表：1-102、1-103');

    dialog = await bind('小李', '1-201', '1-201', true);
    await dialog.getByTestId('units-save').click();
    await expect(rowOf('小李').getByTestId('participant-units')).toHaveText('代表：1-201（委托）');

    // Someone else's unit cannot be ticked, and says who holds it.
    await rowOf('张阿姨').getByRole('button', { name: '房屋' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByTestId('units-search').fill('1-102');
    await expect(dialog.getByTestId('unit-1-102')).toBeDisabled();
    await expect(dialog.getByTestId('units-list')).toContainText('已由王师傅代表');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  await test.step('the host prepares an ordinary-matter owners’ poll; the dialog explains it', async () => {
    await page.getByTestId('poll-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('poll-kind').click();
    await page.getByRole('option', { name: '业主表决（面积和人数）' }).click();
    await expect(dialog.getByTestId('poll-owners-hint')).toContainText('摸底表决（非业主大会决议）');
    await expect(dialog.getByTestId('poll-quorum')).toHaveCount(0);
    await dialog.getByLabel('表决事项').fill('是否申请加装电梯（摸底）');
    await dialog.getByTestId('poll-create').click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('poll-card').filter({ hasText: '是否申请加装电梯' });
    await card.getByTestId('poll-open').click();
    // Three voters on devices: a small secret group, confirmed.
    await page.getByTestId('poll-open-anyway').click();
    await expect(card).toHaveAttribute('data-status', 'open');
  });

  await test.step('each tablet sees what its ballot covers, the headcount rule and the secrecy trade-off, and votes', async () => {
    const choices = ['yes', 'yes', 'no'] as const;
    const covers = ['1-101', '1-102、1-103', '1-201'];
    for (const [i, tablet] of voters.entries()) {
      const card = tablet.getByTestId('poll-card').filter({ hasText: '是否申请加装电梯' });
      await expect(card.getByTestId('vote-represents')).toContainText(`您的选票代表：${covers[i]}`);
      await expect(card.getByTestId('vote-form')).toContainText('同一业主有几套房屋也算一人');
      await expect(card.getByTestId('vote-form')).toContainText('面积独特的房屋，其选择可能从结果推断');
      if (i === 1) await card.screenshot({ path: artifact('owners-vote-1024x768.png') });
      await card.getByRole('button', { name: { yes: '赞成', no: '反对', abstain: '弃权' }[choices[i]!], exact: true }).click();
      await card.getByTestId('vote-cast').click();
      await expect(card.getByTestId('receipt-code')).toHaveText(/^[2-9A-HJKMNP-Z]{8}$/);
    }
  });

  await test.step('the secretary enters paper ballots by unit: the developer once for all unsold units; refusals are shown', async () => {
    const card = page.getByTestId('poll-card').filter({ hasText: '是否申请加装电梯' });
    const paper = card.getByTestId('paper-ballots');
    await paper.locator('summary').click();
    await expect(paper.getByTestId('paper-open-count')).toHaveText('还可录入 896 套房屋');
    const enter = async (unit: string, choice: 'yes' | 'no' | 'abstain') => {
      await paper.getByTestId('paper-unit').fill(unit);
      await paper.getByTestId(`paper-choice-${choice}`).check({ force: true });
      await paper.getByTestId('paper-submit').click();
    };
    await enter('11-101', 'yes');
    await expect(paper.getByTestId('paper-entered')).toContainText('已录入 11-101、11-102、11-103 等 300 套');
    await expect(card.getByTestId('poll-turnout')).toContainText('纸质票 1 张');
    await enter('1-202', 'abstain');
    await expect(paper.getByTestId('paper-entered')).toContainText('已录入 1-202，回执');
    // A unit whose owner votes on a tablet, and a unit entered already, are refused on screen.
    await enter('1-101', 'no');
    await expect(paper.getByTestId('error')).toContainText('1-101');
    await enter('16-101', 'no');
    await expect(paper.getByTestId('error')).toContainText('没有这个房号');
    await expect(card.getByTestId('poll-turnout')).toContainText('纸质票 2 张');
    await card.screenshot({ path: artifact('owners-paper-1024x768.png') });
    await card.getByTestId('poll-close').click();
    await expect(card).toHaveAttribute('data-status', 'closed');
  });

  const sum = (labels: string[]) => labels.reduce((s, l) => s + area.get(l)!, 0);
  const developer = [...area.keys()].filter((l) => Number(l.split('-')[0]) > 10);
  const yes = sum(['1-101', '1-102', '1-103', ...developer]);
  const no = sum(['1-201']);
  const abstain = sum(['1-202']);
  const participating = yes + no + abstain;

  await test.step('the double count, side by side, on the tablets and the projector', async () => {
    const result = voters[0]!.getByTestId('poll-card').filter({ hasText: '是否申请加装电梯' }).getByTestId('owners-result');
    await expect(result.getByTestId('owners-notice')).toHaveText('摸底表决（非业主大会决议）');
    await expect(result.getByTestId('owners-area-yes')).toContainText(`${formatArea(yes)} ${percentOf(yes, participating)}%`);
    await expect(result.getByTestId('owners-heads-yes')).toContainText(`3 ${percentOf(3, 5)}%`);
    await expect(result.getByTestId('owners-area-participating')).toContainText(`${formatArea(participating)} / ${formatArea(totalArea)} ${percentOf(participating, totalArea)}%`);
    // Five of 600 persons took part: well short of two thirds by heads, whatever the area.
    await expect(result.getByTestId('owners-heads-participating')).toContainText(`5 / ${totalHeads}`);
    await expect(result).toHaveAttribute('data-participation', 'false');
    await expect(voters[0]!.getByTestId('poll-outcome').first()).toHaveText('参与表决的面积或人数不足三分之二，不能形成决定');
    await noHorizontalScroll(voters[0]!);

    const boardResult = board.getByTestId('owners-result');
    await expect(boardResult).toBeVisible();
    const size = await boardResult.locator('td').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(40);
    await board.screenshot({ path: artifact('owners-board-1920x1080.png') });

    const phone = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    const phonePage = await phone.newPage();
    await phonePage.context().addCookies(await voters[1]!.context().cookies());
    await phonePage.goto(`/m/${meeting.id}`);
    await expect(phonePage.getByTestId('owners-result')).toBeVisible();
    await noHorizontalScroll(phonePage);
    await phonePage.getByTestId('poll-card').filter({ hasText: '是否申请加装电梯' }).screenshot({ path: artifact('owners-phone-390x844.png') });
  });

  await test.step('the minutes carry the double count', async () => {
    await page.goto(`/m/${meeting.id}/minutes`);
    const table = page.getByTestId('minutes-double-count');
    await expect(page.getByTestId('minutes-owners-notice')).toHaveText('摸底表决（非业主大会决议）');
    await expect(table).toContainText(`${formatArea(participating)} / ${formatArea(totalArea)}（${percentOf(participating, totalArea)}%）`);
    await expect(table).toContainText(`5 / ${totalHeads}（${percentOf(5, totalHeads)}%）`);
    const md = await (await page.request.get(`/api/meetings/${meeting.id}/minutes.md`)).text();
    expect(md).toContain('摸底表决（非业主大会决议）');
    expect(md).toContain('其中纸质票 2 张');
  });
});
