import { artifact, expect, test } from './fixtures.ts';
import { hostWithMeeting, TABLET, tablets } from './meetings.ts';

// Issue 12: 赞成 / 反对 / 弃权 per candidate, at most `seats` 赞成, majority of ballots cast to be elected.
test('a marks election: too many 赞成 refused on screen, a majority of ballots cast needed, the open seat and the reasons shown', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(TABLET);
  const meeting = await hostWithMeeting(page.request, '居民议事会选举');
  await page.goto(`/m/${meeting.id}`);
  const voters = await tablets(browser, baseURL!, meeting, 3);

  await test.step('the host prepares a marks election and is told when it is not competitive (差额)', async () => {
    await page.getByTestId('poll-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('poll-kind').click();
    await page.getByRole('option', { name: '选举' }).click();
    await dialog.getByLabel('表决事项').fill('增补议事会成员');
    await dialog.getByTestId('poll-options').fill('张桂英\n王建国');
    await dialog.getByTestId('poll-seats').fill('2');
    await expect(dialog.getByTestId('poll-warning')).toContainText('候选人数没有多于应选名额');
    await dialog.getByTestId('poll-options').fill('张桂英\n王建国\n陈志强');
    await expect(dialog.getByTestId('poll-warning')).toHaveCount(0);
    await dialog.getByTestId('poll-ballot').click();
    await page.getByRole('option', { name: '逐一表态：赞成 / 反对 / 弃权' }).click();
    await dialog.getByTestId('poll-threshold').click();
    await page.getByRole('option', { name: '赞成票超过投票人数的一半' }).click();
    await dialog.getByTestId('poll-secret').click();
    await dialog.getByTestId('poll-create').click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('poll-card').filter({ hasText: '增补议事会成员' });
    await card.getByTestId('poll-open').click();
    await expect(card).toHaveAttribute('data-status', 'open');
  });

  const marks: Record<string, '赞成' | '反对' | '弃权'>[] = [
    { 张桂英: '赞成', 王建国: '赞成', 陈志强: '反对' },
    { 张桂英: '赞成', 王建国: '反对', 陈志强: '弃权' },
    { 张桂英: '赞成', 王建国: '反对', 陈志强: '反对' },
  ];
  await test.step('each tablet marks every candidate; a third 赞成 for two seats is refused with a message', async () => {
    for (const [i, tablet] of voters.entries()) {
      const card = tablet.getByTestId('poll-card').filter({ hasText: '增补议事会成员' });
      await expect(card.getByTestId('vote-form')).toContainText('当选须获得超过投票人数一半的赞成票');
      const candidate = (name: string) => card.getByTestId('vote-candidate').filter({ hasText: name });
      if (i === 0) {
        await candidate('张桂英').getByRole('radio', { name: '赞成' }).click();
        await candidate('王建国').getByRole('radio', { name: '赞成' }).click();
        await candidate('陈志强').getByRole('radio', { name: '赞成' }).click();
        await expect(card.getByTestId('error')).toHaveText('最多只能对 2 位候选人投赞成票。请先把另一位改为反对或弃权。');
        await expect(candidate('陈志强').getByRole('radio', { name: '赞成' })).not.toBeChecked();
        await expect(card.getByTestId('vote-counter')).toHaveText('赞成 2 / 2 人');
      }
      for (const [name, mark] of Object.entries(marks[i]!)) await candidate(name).getByRole('radio', { name: mark }).click();
      await card.getByTestId('vote-next').click();
      await expect(card.getByTestId('vote-summary')).toContainText('赞成：张桂英');
      await card.getByTestId('vote-cast').click();
      await expect(card.getByTestId('receipt-code')).toHaveText(/^[23456789A-Z]{8}$/);
      if (i === 0) await tablet.screenshot({ path: artifact('tablet-marks-vote-1024x768.png'), fullPage: true });
    }
  });

  await test.step('closed: 张桂英 elected with 3 of 3; one seat open for a further round, and why 王建国 was not elected', async () => {
    const card = page.getByTestId('poll-card').filter({ hasText: '增补议事会成员' });
    await card.getByTestId('poll-close').click();
    await expect(card.getByTestId('poll-outcome')).toHaveText('当选：张桂英 尚有 1 个名额空缺，需另行选举。');
    await expect(card.getByTestId('poll-notes')).toContainText('王建国：得 1 票赞成，需 2 票，未当选。');
    await expect(voters[0]!.getByTestId('poll-notes')).toContainText('陈志强：得 0 票赞成，需 2 票，未当选。');
    await page.screenshot({ path: artifact('host-marks-result-1024x768.png'), fullPage: true });
    // Voters see no runoff button; the host opens the further round for the open seat.
    await expect(voters[0]!.getByTestId('poll-runoff')).toHaveCount(0);
    await card.getByTestId('poll-runoff').click();
    const runoff = page.getByTestId('poll-card').filter({ hasText: '另行选举（第二轮）' });
    await expect(runoff).toHaveAttribute('data-status', 'draft');
    await expect(runoff).toContainText('2 位候选人逐一表示赞成、反对或弃权，赞成最多 1 人');
  });
});

// Issue 12: the host sets a composition rule in the dialog (at least 2/3 of the elected are party
// members) and marks the party members; the plain vote order breaks it, the result says who was
// passed over and why.
test('a composition rule set in the dialog: the second by votes is passed over for a party member, and the board says why', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(TABLET);
  const meeting = await hostWithMeeting(page.request, '居民议事会选举');
  await page.goto(`/m/${meeting.id}`);
  const voters = await tablets(browser, baseURL!, meeting, 3);
  const board = await page.context().newPage();
  await board.setViewportSize({ width: 1920, height: 1080 });
  await board.goto(`/m/${meeting.id}/board`);
  const candidates = ['王建国', '赵志刚', '张桂英', '李明', '陈芳'];
  const partyMembers = ['张桂英', '李明', '陈芳'];

  await test.step('the host prepares 3 seats among 5 with "at least two thirds party members" and ticks the party members', async () => {
    await page.getByTestId('poll-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('poll-kind').click();
    await page.getByRole('option', { name: '选举' }).click();
    await dialog.getByLabel('表决事项').fill('选举居民议事会成员');
    await dialog.getByTestId('poll-options').fill(candidates.join('\n'));
    await dialog.getByTestId('poll-seats').fill('3');
    await dialog.getByTestId('poll-rules').click();
    await page.getByRole('option', { name: '党员至少占应选名额的三分之二' }).click();
    for (const name of partyMembers) await dialog.getByLabel(`${name} 是党员`).check();
    await dialog.getByTestId('poll-secret').click();
    await page.screenshot({ path: artifact('host-election-rules-1024x768.png') });
    await dialog.getByTestId('poll-create').click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('poll-card').filter({ hasText: '选举居民议事会成员' });
    await expect(card).toContainText('当选人中至少 2 名党员');
    await card.getByTestId('poll-open').click();
    await expect(card).toHaveAttribute('data-status', 'open');
  });

  await test.step('four ballots: 王建国 4, 赵志刚 3, 张桂英 2, 李明 1', async () => {
    const ballots = [['王建国', '赵志刚', '张桂英'], ['王建国', '赵志刚', '张桂英'], ['王建国', '赵志刚', '李明'], ['王建国']];
    for (const [i, who] of [page, ...voters].entries()) {
      const card = who.getByTestId('poll-card').filter({ hasText: '选举居民议事会成员' });
      for (const name of ballots[i]!) await card.getByRole('button', { name, exact: true }).click();
      await card.getByTestId('vote-next').click();
      await card.getByTestId('vote-cast').click();
      await expect(card.getByTestId('my-receipt')).toBeVisible();
    }
  });

  await test.step('closed: 王建国, 张桂英 and 李明 elected; 赵志刚 passed over under the rule, on the board', async () => {
    const card = page.getByTestId('poll-card').filter({ hasText: '选举居民议事会成员' });
    await card.getByTestId('poll-close').click();
    await expect(board.getByTestId('poll-outcome')).toHaveText('当选：王建国、张桂英、李明');
    await expect(board.getByTestId('poll-notes')).toContainText('赵志刚');
    await expect(board.getByTestId('poll-notes')).toContainText('党员');
    await board.screenshot({ path: artifact('board-election-rules-1920x1080.png') });
  });
});
