import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { artifact, expect, test } from './fixtures.ts';

// Issue 11: the meeting ends and its minutes become final (定稿); nothing typed is lost, and every
// limit on editing is visible.

interface Meeting {
  id: string;
  joinCode: string;
}

interface Room {
  meeting: Meeting;
  baseURL: string | undefined;
  host: BrowserContext;
  contexts: BrowserContext[];
}

let seq = 0;

/** A host account with a community and a live meeting (set up through the API). */
async function liveMeeting(browser: Browser, baseURL: string | undefined): Promise<Room> {
  const host = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const stamp = `${Date.now().toString(36)}${seq++}`;
  const api = host.request;
  expect((await api.post('/api/auth/signup', { data: { username: `life${stamp}`, password: 'binhu-mingzhu-2025', name: '李书记' } })).status()).toBe(201);
  const community = await (await api.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
  const created = await api.post('/api/meetings', { data: { communityId: community.id, title: '十一月楼长有话说', kind: 'building-talk' } });
  const meeting = (await created.json()) as Meeting;
  expect((await api.post(`/api/meetings/${meeting.id}/start`)).status()).toBe(200);
  return { meeting, baseURL, host, contexts: [host] };
}

/** Someone joining by code in a context of their own; `role` set by the host when not participant. */
async function joined(
  browser: Browser,
  room: Room,
  name: string,
  options: { role?: 'secretary' | 'observer'; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: room.baseURL,
    viewport: options.viewport ?? { width: 1024, height: 768 },
    locale: 'zh-CN',
  });
  room.contexts.push(context);
  const answer = await context.request.post('/api/join', { data: { code: room.meeting.joinCode, name, affiliation: 'resident' } });
  expect(answer.status()).toBe(200);
  const { userId } = await answer.json();
  if (options.role) {
    const patched = await room.host.request.patch(`/api/meetings/${room.meeting.id}/participants/${userId}`, { data: { role: options.role } });
    expect(patched.status()).toBe(200);
  }
  return context;
}

async function openRoom(context: BrowserContext, meetingId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/m/${meetingId}`);
  await expect(page.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');
  return page;
}

const item = (page: Page, n: number) => page.getByTestId('agenda-item').nth(n);

/** The notes (or decision) editor of the n-th item, opening the item if needed. */
async function editor(page: Page, n: number, which: 'notes' | 'decision' = 'notes'): Promise<Locator> {
  const row = item(page, n);
  if ((await row.getByTestId('agenda-open').getAttribute('aria-expanded')) !== 'true') await row.getByTestId('agenda-open').click();
  const surface = row.getByTestId(`agenda-${which}`).locator('.tiptap');
  await expect(surface).toBeVisible();
  return surface;
}

/** An editor's text without other people's caret labels. */
function textOf(surface: Locator): Promise<string> {
  return surface.evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return copy.textContent ?? '';
  });
}

/** Waits until everything typed here has reached the server. */
async function saved(page: Page) {
  await expect(page.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('doc-status')).toHaveAttribute('data-pending', '0');
}

async function endFromHeader(page: Page) {
  await page.getByTestId('end-meeting').click();
  await page.getByTestId('end-meeting-confirm').click();
  await expect(page.getByTestId('meeting-status')).toHaveText('已结束');
}

test('after the end: the secretary tidies the notes (kept through a reload, in the minutes); a participant reads, and an offline edit is not lost', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const room = await liveMeeting(browser, baseURL);
  const secretary = await joined(browser, room, '社工小陈', { role: 'secretary' });
  const resident = await joined(browser, room, '王楼长', { viewport: { width: 390, height: 844 } });
  const hostPage = await openRoom(room.host, room.meeting.id);
  const secretaryPage = await openRoom(secretary, room.meeting.id);
  const residentPage = await openRoom(resident, room.meeting.id);

  await test.step('the resident, offline, types a note the server will not take after the end', async () => {
    const notes = await editor(residentPage, 1);
    await resident.setOffline(true);
    await expect(residentPage.getByTestId('doc-status')).toHaveAttribute('data-state', 'offline');
    await notes.click();
    await residentPage.keyboard.type('5栋：楼道灯不亮');
    await expect(residentPage.getByTestId('doc-status')).toHaveAttribute('data-pending', /[1-9]/);
  });

  await test.step('the host ends the meeting; editors say who may still edit', async () => {
    await endFromHeader(hostPage);
    await expect(hostPage.getByTestId('meeting-ended-at')).toContainText('会议已于');
    await expect(hostPage.getByTestId('agenda-after-end')).toContainText('你还可以继续整理记录');
    await expect(secretaryPage.getByTestId('meeting-status')).toHaveText('已结束');
    await expect(secretaryPage.getByTestId('agenda-after-end')).toBeVisible();
    // The facilitator's timer and focus controls are off once the meeting is over.
    await expect(hostPage.getByTestId('facil-timer-start')).toBeDisabled();
  });

  await test.step('the resident comes back: read-only, told plainly, and shown what was not saved', async () => {
    await resident.setOffline(false);
    await expect(residentPage.getByTestId('agenda-readonly')).toHaveText(/会议已经结束，只有主持人和记录员还能整理记录和决定/);
    await expect(residentPage.getByTestId('refused-edits')).toBeVisible({ timeout: 20_000 });
    await expect(residentPage.getByTestId('refused-text')).toContainText('5栋：楼道灯不亮');
    await expect(residentPage.getByTestId('refused-text')).toContainText('“各楼栋反映问题”的记录');
    await residentPage.getByTestId('refused-edits').scrollIntoViewIfNeeded();
    await residentPage.screenshot({ path: artifact('lifecycle-refused-390x844.png') });
    const notes = await editor(residentPage, 1);
    await expect(notes).toHaveAttribute('contenteditable', 'false');
    await expect(item(residentPage, 1).getByTestId('agenda-title')).toHaveCount(0);
    await expect(residentPage.getByTestId('agenda-add')).toHaveCount(0);
    await expect(residentPage.getByTestId('agenda-delete')).toHaveCount(0);
    await expect(residentPage.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');
    await residentPage.getByTestId('refused-dismiss').click();
    await expect(residentPage.getByTestId('refused-edits')).toHaveCount(0);
  });

  await test.step('the secretary writes the decision after the end; a fresh browser sees it, and so do the minutes', async () => {
    const decision = await editor(secretaryPage, 2, 'decision');
    await decision.click();
    await secretaryPage.keyboard.type('物业本月清理3号楼楼道杂物');
    await saved(secretaryPage);
    await expect.poll(async () => textOf(await editor(residentPage, 2, 'decision'))).toBe('物业本月清理3号楼楼道杂物');

    const fresh = await browser.newContext({ baseURL, storageState: await secretary.storageState(), locale: 'zh-CN' });
    room.contexts.push(fresh);
    const again = await openRoom(fresh, room.meeting.id);
    await expect.poll(async () => textOf(await editor(again, 2, 'decision'))).toBe('物业本月清理3号楼楼道杂物');
    const minutes = await fresh.request.get(`/api/meetings/${room.meeting.id}/minutes.md`);
    expect(minutes.status()).toBe(200);
    const text = await minutes.text();
    expect(text).toContain('物业本月清理3号楼楼道杂物');
    expect(text).not.toContain('5栋：楼道灯不亮');
    expect(text).toContain('- **纪要状态**：草稿，尚未定稿');
  });

  for (const context of room.contexts) await context.close();
});

test('定稿 freezes the record for everyone; the host reopens it with a reason the minutes keep', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const room = await liveMeeting(browser, baseURL);
  const secretary = await joined(browser, room, '社工小陈', { role: 'secretary' });
  const hostPage = await openRoom(room.host, room.meeting.id);
  const secretaryPage = await openRoom(secretary, room.meeting.id);
  await endFromHeader(hostPage);

  await test.step('定稿: nobody edits, and the page says so', async () => {
    await hostPage.getByTestId('finalize-meeting').click();
    await hostPage.getByTestId('finalize-meeting-confirm').click();
    await expect(hostPage.getByTestId('meeting-status')).toHaveText('已定稿');
    await expect(hostPage.getByTestId('meeting-final-at')).toContainText('纪要已于');
    for (const page of [hostPage, secretaryPage]) {
      await expect(page.getByTestId('agenda-readonly')).toHaveText(/纪要已定稿，所有人都只能查看/);
      await expect(await editor(page, 0)).toHaveAttribute('contenteditable', 'false');
      await expect(page.getByTestId('agenda-undo')).toHaveCount(0);
    }
    await hostPage.screenshot({ path: artifact('lifecycle-final-1280x900.png'), fullPage: true });
    const minutes = await (await room.host.request.get(`/api/meetings/${room.meeting.id}/minutes.md`)).text();
    expect(minutes).toMatch(/- \*\*纪要状态\*\*：定稿（\d{4}年\d+月\d+日（星期.） \d\d:\d\d）/);
    const summary = await room.host.request.put(`/api/meetings/${room.meeting.id}/summary`, { data: { summary: '补一句' } });
    expect(summary.status()).toBe(409);
    // The minutes page says it too, and the summary cannot be edited there.
    const minutesPage = await room.host.newPage();
    await minutesPage.goto(`/m/${room.meeting.id}/minutes`);
    await expect(minutesPage.getByTestId('minutes-record')).toHaveText(/^定稿（\d{4}年\d+月\d+日（星期.） \d\d:\d\d）$/);
    await expect(minutesPage.getByTestId('summary-frozen')).toBeVisible();
    await expect(minutesPage.getByTestId('summary-input')).toHaveAttribute('readonly', '');
    await minutesPage.close();
  });

  await test.step('reopen with a reason: host and secretary edit again, the minutes record why', async () => {
    await hostPage.getByTestId('reopen-meeting').click();
    await expect(hostPage.getByTestId('reopen-submit')).toBeDisabled();
    await hostPage.getByTestId('reopen-reason').fill('补充议定事项的责任方');
    await hostPage.getByTestId('reopen-submit').click();
    await expect(hostPage.getByTestId('meeting-status')).toHaveText('已结束');
    await expect(secretaryPage.getByTestId('agenda-after-end')).toBeVisible();
    const notes = await editor(secretaryPage, 0);
    await expect(notes).toHaveAttribute('contenteditable', 'true');
    await notes.click();
    await secretaryPage.keyboard.type('责任方：物业');
    await saved(secretaryPage);
    const minutes = await (await room.host.request.get(`/api/meetings/${room.meeting.id}/minutes.md`)).text();
    expect(minutes).toMatch(/- \*\*重新打开\*\*：.+，李书记：补充议定事项的责任方/);
    expect(minutes).toContain('责任方：物业');
  });

  for (const context of room.contexts) await context.close();
});

test('ending with a poll still open asks first, and can close it', async ({ browser, baseURL }) => {
  const room = await liveMeeting(browser, baseURL);
  const hostPage = await openRoom(room.host, room.meeting.id);
  // A named motion, opened from the page's poll panel as a facilitator would.
  await hostPage.getByTestId('poll-new').click();
  await hostPage.getByTestId('poll-title').fill('是否设立临时停车位');
  await hostPage.getByTestId('poll-secret').click();
  await hostPage.getByTestId('poll-create').click();
  await hostPage.getByTestId('poll-card').getByTestId('poll-open').click();
  await expect(hostPage.getByTestId('poll-card')).toHaveAttribute('data-status', 'open');

  await hostPage.getByTestId('end-meeting').click();
  await hostPage.getByTestId('end-meeting-confirm').click();
  await expect(hostPage.getByTestId('end-polls-dialog')).toContainText('还有 1 项表决在进行中');
  await hostPage.getByTestId('end-close-polls').click();
  await expect(hostPage.getByTestId('meeting-status')).toHaveText('已结束');
  await expect(hostPage.getByTestId('poll-card')).toHaveAttribute('data-status', 'closed');
  // No new poll after the end: the server refuses and the page says so.
  await expect(hostPage.getByTestId('facil-timer-start')).toBeDisabled();
  for (const context of room.contexts) await context.close();
});
