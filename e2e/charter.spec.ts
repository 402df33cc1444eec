import type { Browser, Page } from '@playwright/test';
import { SAMPLE_CHARTER_DRAFT } from '@yishi/model';
import { artifact, expect, test } from './fixtures.ts';

const TABLET = { width: 1024, height: 768 };
const PHONE = { width: 390, height: 844 };
const BOARD = { width: 1920, height: 1080 };
const NEW_THIRD = '第三条 任何人不得在楼道、消防通道内堆放杂物，不得停放电动自行车或为其充电，违者由物业劝导清理。';

async function joined(browser: Browser, baseURL: string, code: string, meetingId: string, name: string, viewport = TABLET): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'zh-CN', hasTouch: true });
  const res = await context.request.post('/api/join', { data: { code, name, affiliation: 'resident' } });
  expect(res.status()).toBe(200);
  const page = await context.newPage();
  await page.goto(`/m/${meetingId}`);
  await expect(page.getByTestId('follow-panel')).toBeVisible();
  return page;
}

async function noHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

const clause = (page: Page, n: number) => page.getByTestId('clause').nth(n - 1);

/** Host opens a motion, every tablet votes yes, host closes it. */
async function voteYes(host: Page, voters: Page[], title: string) {
  const hostCard = host.getByTestId('poll-card').filter({ hasText: title });
  await hostCard.getByTestId('poll-open').click();
  await expect(hostCard).toHaveAttribute('data-status', 'open');
  for (const tablet of voters) {
    const card = tablet.getByTestId('poll-card').filter({ hasText: title });
    await card.getByRole('button', { name: '赞成', exact: true }).click();
    await card.getByTestId('vote-cast').click();
    await expect(card.getByTestId('receipt-code')).toBeVisible();
  }
  await hostCard.getByTestId('poll-close').click();
  await expect(hostCard).toHaveAttribute('data-status', 'closed');
}

// Issue 14, 逐条协商: the seeds' 规约 of six clauses agreed clause by clause on tablets, the board following.
test('a six-clause 规约: one amendment accepted by vote, one withdrawn, a clause deferred, adopted by a final motion; minutes and the public board show the text', async ({ page, browser, baseURL }) => {
  test.setTimeout(180_000);
  await page.setViewportSize(TABLET);
  const username = `charter${Date.now().toString(36)}`;
  expect((await page.request.post('/api/auth/signup', { data: { username, password: 'binhu-mingzhu-2025', name: '李书记' } })).status()).toBe(201);
  const community = await (await page.request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
  const meeting = (await (await page.request.post('/api/meetings', { data: { communityId: community.id, title: '红管家议事会', kind: 'joint' } })).json()) as { id: string; joinCode: string };
  expect((await page.request.patch(`/api/meetings/${meeting.id}`, { data: { status: 'live' } })).status()).toBe(200);
  await page.goto(`/m/${meeting.id}`);

  const board = await page.context().newPage();
  await board.setViewportSize(BOARD);
  await board.goto(`/m/${meeting.id}/board`);
  await expect(board.getByTestId('board')).toBeVisible();
  const wang = await joined(browser, baseURL!, meeting.joinCode, meeting.id, '王阿姨');
  const li = await joined(browser, baseURL!, meeting.joinCode, meeting.id, '李师傅', PHONE);
  const observer = await joined(browser, baseURL!, meeting.joinCode, meeting.id, '旁听的记者');
  const roster = await (await page.request.get(`/api/meetings/${meeting.id}/participants`)).json();
  const observerId = roster.find((p: { name: string }) => p.name === '旁听的记者').userId;
  expect((await page.request.patch(`/api/meetings/${meeting.id}/participants/${observerId}`, { data: { role: 'observer' } })).status()).toBe(200);

  await test.step('the host pastes the draft; it splits into six clauses that every tablet sees', async () => {
    // Participants see nothing until there is a charter; the host sees the button.
    await expect(wang.getByTestId('charter-panel')).toHaveCount(0);
    await page.getByTestId('charter-import').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('charter-draft-input').fill(SAMPLE_CHARTER_DRAFT);
    await expect(dialog.getByTestId('charter-split-count')).toHaveText('将拆分为 6 条');
    await dialog.getByTestId('charter-create').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('charter-name')).toHaveText('公共空间管理规约');
    await expect(wang.getByTestId('clause')).toHaveCount(6);
    await expect(clause(wang, 3).getByTestId('clause-text')).toHaveText(/^第三条 任何人不得在楼道/);
  });

  await test.step('the host corrects the split: splits clause 6 at the cursor, then merges it back', async () => {
    await clause(page, 6).getByTestId('clause-edit').click();
    const area = clause(page, 6).getByTestId('clause-edit-text');
    const at = '第六条 本规约经居民议事会表决通过后施行，'.length;
    await area.evaluate((el: HTMLTextAreaElement, pos) => {
      el.focus();
      el.setSelectionRange(pos, pos);
    }, at);
    await clause(page, 6).getByTestId('clause-split').click();
    await expect(wang.getByTestId('clause')).toHaveCount(7);
    await expect(clause(wang, 7).getByTestId('clause-text')).toHaveText('由红管家志愿者队伍监督执行。');
    await clause(page, 7).getByTestId('clause-merge').click();
    await expect(wang.getByTestId('clause')).toHaveCount(6);
    await expect(clause(wang, 6).getByTestId('clause-text')).toHaveText('第六条 本规约经居民议事会表决通过后施行，\n由红管家志愿者队伍监督执行。');
    await page.getByTestId('charter-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('charter-drafting-1024x768.png') });
  });

  await test.step('deliberation starts at clause 1; the board shows it', async () => {
    await page.getByTestId('charter-start').click();
    await expect(board.getByTestId('board-clause')).toHaveText(/^第一条/);
    await clause(page, 1).getByTestId('clause-agree').click();
    await expect(board.getByTestId('board-clause')).toHaveText(/^第二条/);
    await clause(page, 2).getByTestId('clause-agree').click();
    await expect(board.getByTestId('board-clause')).toHaveText(/^第三条/);
    await expect(board.getByTestId('board-charter-progress')).toHaveText('通过 2 条 · 待协商 4 条 · 搁置 0 条 · 删除 0 条');
  });

  await test.step('an observer cannot propose; 王阿姨 proposes a change to clause 3, shown as a word difference', async () => {
    await expect(observer.getByTestId('clause')).toHaveCount(6);
    await expect(observer.getByTestId('amendment-propose')).toHaveCount(0);
    await expect(clause(observer, 3)).toContainText('旁听不能提修改意见。');
    await clause(wang, 3).getByTestId('amendment-propose').click();
    await clause(wang, 3).getByTestId('amendment-text').fill(NEW_THIRD);
    await clause(wang, 3).getByTestId('amendment-submit').click();
    const diff = clause(page, 3).getByTestId('amendment').getByTestId('clause-diff');
    await expect(diff.locator('ins')).toContainText(['违者由物业劝导清理']);
    await expect(diff.locator('del')).toHaveCount(0);
    await expect(board.getByTestId('board-amendment').locator('ins').first()).toContainText('违者由物业劝导清理');
    await noHorizontalScroll(board);
    await board.screenshot({ path: artifact('charter-board-amendment-1920x1080.png') });
    await clause(wang, 3).scrollIntoViewIfNeeded();
    await wang.screenshot({ path: artifact('charter-tablet-amendment-1024x768.png') });
  });

  await test.step('the host puts it to a vote; the tablets vote; the result accepts the amendment', async () => {
    await clause(page, 3).getByTestId('amendment-vote').click();
    await expect(clause(wang, 3).getByTestId('amendment-voting')).toBeVisible();
    // Bound to a vote, the proposer can no longer withdraw it.
    await expect(clause(wang, 3).getByTestId('amendment-withdraw')).toHaveCount(0);
    await voteYes(page, [wang, li], '第3项条款的修改意见');
    await clause(page, 3).getByTestId('amendment-apply-vote').click();
    await expect(clause(wang, 3).getByTestId('clause-text')).toHaveText(NEW_THIRD);
    await expect(clause(wang, 3).getByTestId('amendment-status')).toHaveText('已采纳');
    await expect(clause(wang, 3).getByTestId('amendment')).toContainText('赞成 2，反对 0，弃权 0');
    await clause(page, 3).getByTestId('clause-agree').click();
  });

  await test.step('李师傅 proposes a change to clause 4 on his phone and withdraws it; the host defers clause 4', async () => {
    await clause(li, 4).getByTestId('amendment-propose').click();
    await clause(li, 4).getByTestId('amendment-text').fill('第四条 活动室由居民自治小组负责管理，开放时间为每日九时至二十时。');
    await clause(li, 4).getByTestId('amendment-submit').click();
    await expect(clause(page, 4).getByTestId('amendment')).toHaveCount(1);
    // He rewords it; everyone sees the new wording.
    await clause(li, 4).getByTestId('amendment-reword').click();
    await clause(li, 4).getByTestId('amendment-reword-text').fill('第四条 活动室由居民自治小组负责管理，开放时间为每日九时至二十一时，使用需提前一天登记。');
    await clause(li, 4).getByTestId('amendment-reword-save').click();
    await expect(clause(page, 4).getByTestId('amendment').locator('ins')).toContainText(['九']);
    // Only the proposer may reword or withdraw.
    await expect(clause(wang, 4).getByTestId('amendment-withdraw')).toHaveCount(0);
    await expect(clause(wang, 4).getByTestId('amendment-reword')).toHaveCount(0);
    await noHorizontalScroll(li);
    await clause(li, 4).scrollIntoViewIfNeeded();
    await li.screenshot({ path: artifact('charter-phone-390x844.png') });
    await clause(li, 4).getByTestId('amendment-withdraw').click();
    await expect(clause(page, 4).getByTestId('amendment-status')).toHaveText('已撤回');
    await clause(page, 4).getByTestId('clause-defer').click();
    await clause(page, 5).getByTestId('clause-agree').click();
    await clause(page, 6).getByTestId('clause-agree').click();
    await expect(board.getByTestId('board-charter-progress')).toHaveText('通过 5 条 · 待协商 0 条 · 搁置 1 条 · 删除 0 条');
  });

  await test.step('a final motion adopts the text as amended', async () => {
    await page.getByTestId('charter-adopt').click();
    await expect(page.getByTestId('charter-status')).toHaveText('全文表决中');
    await voteYes(page, [wang, li], '通过《公共空间管理规约》全文');
    await page.getByTestId('charter-adopt-apply').click();
    await expect(wang.getByTestId('charter-status')).toHaveText('已通过');
    const adopted = board.getByTestId('board-charter-adopted').locator('li');
    await expect(adopted).toHaveCount(5);
    await expect(adopted.nth(2)).toHaveText(NEW_THIRD);
    await noHorizontalScroll(board);
    await board.screenshot({ path: artifact('charter-board-adopted-1920x1080.png') });
    const docx = await wang.request.get(`/api/meetings/${meeting.id}/charter.docx`);
    expect(docx.status()).toBe(200);
    expect(docx.headers()['content-type']).toContain('wordprocessingml');
    await page.getByTestId('charter-publish').click();
    await expect(page.getByTestId('charter-published')).toBeVisible();
    await page.getByTestId('charter-adopted').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('charter-host-adopted-1024x768.png') });
  });

  await test.step('the minutes record the adopted text, each clause’s history and the final vote', async () => {
    await page.goto(`/m/${meeting.id}/minutes`);
    await page.getByTestId('minutes-charter').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('charter-minutes-1024x768.png') });
    const section = page.getByTestId('minutes-charter');
    await expect(section.getByTestId('minutes-charter-adopted').locator('li')).toHaveCount(5);
    await expect(section.getByTestId('minutes-charter-adopted')).toContainText(NEW_THIRD);
    await expect(section.getByTestId('minutes-charter-history')).toContainText('王阿姨提出；采纳；赞成 2，反对 0，弃权 0');
    await expect(section.getByTestId('minutes-charter-history')).toContainText('李师傅提出；已撤回');
    await expect(section.getByTestId('minutes-charter-history')).toContainText('搁置');
    await expect(section.getByTestId('minutes-charter-final')).toHaveText('通过（赞成 2，反对 0，弃权 0）');
    const md = await (await page.request.get(`/api/meetings/${meeting.id}/minutes.md`)).text();
    expect(md).toContain(`> ${NEW_THIRD}`);
  });

  await test.step('the public board (公示) shows the adopted text without an account', async () => {
    const visitor = await browser.newContext({ baseURL, viewport: PHONE, locale: 'zh-CN' });
    const pub = await visitor.newPage();
    await pub.goto(`/c/${community.id}/board`);
    const charter = pub.getByTestId('public-charter');
    await expect(charter).toContainText('公共空间管理规约');
    await expect(charter.locator('li')).toHaveCount(5);
    await expect(charter).toContainText(NEW_THIRD);
    await expect(charter).not.toContainText('第四条');
    await noHorizontalScroll(pub);
    await pub.screenshot({ path: artifact('charter-public-board-390x844.png'), fullPage: true });
    await visitor.close();
  });

  for (const p of [wang, li, observer]) await p.context().close();
});

test('on a phone the host brings a draft in without sideways scrolling; 1.、2. numbering splits too', async ({ page }) => {
  await page.setViewportSize(PHONE);
  const username = `charterphone${Date.now().toString(36)}`;
  expect((await page.request.post('/api/auth/signup', { data: { username, password: 'binhu-mingzhu-2025', name: '张社工' } })).status()).toBe(201);
  const community = await (await page.request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
  const meeting = await (await page.request.post('/api/meetings', { data: { communityId: community.id, title: '楼道公约讨论', kind: 'building-talk' } })).json();
  await page.goto(`/m/${meeting.id}`);
  await page.getByTestId('charter-import').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('charter-draft-input').fill('楼道公约\n1. 楼道内不堆放杂物。\n2、电动车不进楼道。\n3. 垃圾袋不放门口。');
  await expect(dialog.getByTestId('charter-split-count')).toHaveText('将拆分为 3 条');
  await noHorizontalScroll(page);
  await page.screenshot({ path: artifact('charter-import-390x844.png') });
  await dialog.getByTestId('charter-create').click();
  await expect(page.getByTestId('charter-name')).toHaveText('楼道公约');
  await expect(page.getByTestId('clause')).toHaveCount(3);
  await noHorizontalScroll(page);
});
