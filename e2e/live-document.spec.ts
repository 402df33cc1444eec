import type { BrowserContext, CDPSession, Locator, Page } from '@playwright/test';
import { artifact, expect, test } from './fixtures.ts';

// Issue 3: two browsers (one a tablet) co-edit a 樓長有話說 agenda and its notes, one drops offline
// and comes back, one closes its tab while offline, and Chinese IME input composes cleanly.

const TEMPLATE = ['上次事项推进', '各楼栋反映问题', '议定事项', '其他'];

const items = (page: Page) => page.getByTestId('agenda-item');
const item = (page: Page, n: number) => items(page).nth(n);
const titleOf = (page: Page, n: number) => item(page, n).getByTestId('agenda-title');

/** The titles in display order, read from the inputs. */
async function titles(page: Page): Promise<string[]> {
  return page
    .getByTestId('agenda-title')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
}

/** The notes editor (ProseMirror root) of the n-th item, opening it if needed. */
async function notes(page: Page, n: number): Promise<Locator> {
  const row = item(page, n);
  if ((await row.getByTestId('agenda-open').getAttribute('aria-expanded')) !== 'true')
    await row.getByTestId('agenda-open').click();
  const editor = row.getByTestId('agenda-notes').locator('.tiptap');
  await expect(editor).toBeVisible();
  return editor;
}

/** An editor's text without the other people's caret labels. */
function textOf(editor: Locator): Promise<string> {
  return editor.evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return copy.textContent ?? '';
  });
}

async function expectNoHorizontalScroll(page: Page) {
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'no horizontal scroll',
  ).toBe(true);
}

/** Types through the IME path Chinese input methods use: composition updates, then a commit. */
async function compose(cdp: CDPSession, steps: string[], commit: string) {
  for (const text of steps) {
    await cdp.send('Input.imeSetComposition', {
      text,
      selectionStart: text.length,
      selectionEnd: text.length,
    });
  }
  await cdp.send('Input.insertText', { text: commit });
}

/** Resolves once this browser's IndexedDB copy of the meeting holds at least `min` updates. */
async function storedUpdates(page: Page, meetingId: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('updates', 'readonly').objectStore('updates').count();
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
          count.onerror = () => reject(count.error);
        };
      }),
    `yishi-${meetingId}`,
  );
}

test('two browsers co-edit the agenda and notes, survive going offline, and compose Chinese', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const stamp = Date.now().toString(36);

  // The host: an account that creates the community and the meeting (API: the UI is issue 2's).
  const hostContext = await browser.newContext({
    baseURL,
    viewport: { width: 1920, height: 1080 },
    locale: 'zh-CN',
  });
  const api = hostContext.request;
  expect(
    (
      await api.post('/api/auth/signup', {
        data: { username: `doc${stamp}`, password: 'binhu-mingzhu-2025', name: '李书记' },
      })
    ).status(),
  ).toBe(201);
  const community = await (
    await api.post('/api/communities', { data: { name: '滨湖明珠社区' } })
  ).json();
  const created = await api.post('/api/meetings', {
    data: {
      communityId: community.id,
      title: '三月樓長有話說',
      kind: 'building-talk',
      startsAt: '2025-03-14T19:30:00+08:00',
    },
  });
  expect(created.status()).toBe(201);
  const meeting = (await created.json()) as { id: string; joinCode: string };

  // The tablet: a building leader joins by code, without an account.
  const tabletContext: BrowserContext = await browser.newContext({
    baseURL,
    viewport: { width: 1024, height: 768 },
    locale: 'zh-CN',
    hasTouch: true,
  });
  const joined = await tabletContext.request.post('/api/join', {
    data: { code: meeting.joinCode, name: '王樓長', affiliation: 'resident' },
  });
  expect(joined.status()).toBe(200);

  const host = await hostContext.newPage();
  const tablet = await tabletContext.newPage();
  await host.goto(`/m/${meeting.id}`);
  await tablet.goto(`/m/${meeting.id}`);

  await test.step('both see the 樓長有話說 template, connected, and each other', async () => {
    for (const page of [host, tablet]) {
      await expect(page.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');
      await expect.poll(() => titles(page)).toEqual(TEMPLATE);
      await expect(page.getByTestId('agenda-total')).toHaveText('合计 70 分钟');
      await expect(page.getByTestId('presence-person')).toHaveCount(2);
    }
    const leader = host.getByTestId('presence-person').filter({ hasText: '王樓長' });
    await expect(leader).toContainText('居民/楼长');
    await expect(leader).toHaveAttribute('data-device', 'tablet');
    await expect(
      tablet.getByTestId('presence-person').filter({ hasText: '李书记' }),
    ).toHaveAttribute('data-device', 'remote');
  });

  await test.step('add and rename items; the other screen follows', async () => {
    await host.getByTestId('agenda-add').click();
    await expect(items(host)).toHaveCount(5);
    // The new title has the focus: type straight into it.
    await expect(titleOf(host, 4)).toBeFocused();
    await host.keyboard.type('清理楼道杂物');
    await expect.poll(() => titles(tablet)).toEqual([...TEMPLATE, '清理楼道杂物']);

    await titleOf(tablet, 1).click();
    await tablet.keyboard.press('End');
    await tablet.keyboard.type('（3号楼）');
    await expect.poll(() => titles(host)).toEqual([
      '上次事项推进',
      '各楼栋反映问题（3号楼）',
      '议定事项',
      '其他',
      '清理楼道杂物',
    ]);
  });

  await test.step('presenter and minutes; the total against the planned end', async () => {
    const row = item(host, 4);
    await row.getByTestId('agenda-presenter').fill('物业经理');
    await row.getByTestId('agenda-minutes').fill('15');
    await row.getByTestId('agenda-minutes').press('Enter');
    await expect(item(tablet, 4).getByTestId('agenda-presenter')).toHaveValue('物业经理');
    await expect(tablet.getByTestId('agenda-total')).toHaveText('合计 85 分钟');
    // 19:30 + 85 minutes = 20:55: a 20:45 end is 10 minutes over, 21:00 leaves 5.
    await host.getByTestId('agenda-planned-end').fill('20:45');
    await expect(tablet.getByTestId('agenda-slack')).toHaveText('超出 10 分钟');
    await host.getByTestId('agenda-planned-end').fill('21:00');
    await expect(tablet.getByTestId('agenda-slack')).toHaveText('还余 5 分钟');
  });

  await test.step('reorder by keyboard (announced) and by dragging the handle', async () => {
    await item(host, 4).getByTestId('agenda-up').click();
    await expect(host.getByTestId('agenda-announcement')).toHaveText('“清理楼道杂物”已移到第 4 项');
    // The focus follows the moved item, so Alt+↑ continues from there.
    await host.keyboard.press('Alt+ArrowUp');
    await expect(host.getByTestId('agenda-announcement')).toHaveText('“清理楼道杂物”已移到第 3 项');
    const afterKeys = ['上次事项推进', '各楼栋反映问题（3号楼）', '清理楼道杂物', '议定事项', '其他'];
    await expect.poll(() => titles(tablet)).toEqual(afterKeys);

    // The tablet drags 其他 (last) above 议定事项.
    await item(tablet, 3).scrollIntoViewIfNeeded();
    await item(tablet, 4).getByTestId('agenda-drag').scrollIntoViewIfNeeded();
    const handle = item(tablet, 4).getByTestId('agenda-drag');
    const from = (await handle.boundingBox())!;
    const to = (await item(tablet, 3).boundingBox())!;
    await tablet.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await tablet.mouse.down();
    await tablet.mouse.move(from.x + from.width / 2, to.y + 10, { steps: 8 });
    await tablet.mouse.up();
    const afterDrag = ['上次事项推进', '各楼栋反映问题（3号楼）', '清理楼道杂物', '其他', '议定事项'];
    await expect.poll(() => titles(tablet)).toEqual(afterDrag);
    await expect.poll(() => titles(host)).toEqual(afterDrag);
  });

  await test.step('status in one tap; the host puts an item in focus', async () => {
    await item(tablet, 2).getByTestId('agenda-status-discussing').click();
    await expect(item(host, 2)).toHaveAttribute('data-status', 'discussing');
    await expect(item(host, 2).getByTestId('agenda-status-discussing')).toHaveAttribute(
      'aria-checked',
      'true',
    );
    await item(host, 2).getByTestId('agenda-focus').click();
    await expect(tablet.getByTestId('focus-banner')).toHaveText('正在讨论：清理楼道杂物');
    await expect(item(tablet, 2)).toHaveAttribute('data-focused', 'true');
    // A participant sees the focus but cannot set it.
    await expect(tablet.getByTestId('agenda-focus')).toHaveCount(0);
  });

  await test.step('rich notes: a bullet list with bold text reaches the other screen', async () => {
    const tabletNotes = await notes(tablet, 2);
    await tabletNotes.click();
    await tablet.keyboard.type('张阿姨反映：');
    await tablet.keyboard.press('Enter');
    await item(tablet, 2).getByTestId('agenda-notes-bulletList').click();
    await tablet.keyboard.type('一楼堆放纸箱');
    await tablet.keyboard.press('Enter');
    await item(tablet, 2).getByTestId('agenda-notes-bold').click();
    await tablet.keyboard.type('消防通道堵塞');
    const hostNotes = await notes(host, 2);
    await expect(hostNotes.locator('ul > li')).toHaveCount(2);
    await expect(hostNotes.locator('ul > li').nth(1).locator('strong')).toHaveText('消防通道堵塞');
    await expect.poll(() => textOf(hostNotes)).toBe('张阿姨反映：一楼堆放纸箱消防通道堵塞');
    // The host sees the tablet's caret with its name.
    await expect(hostNotes.locator('.collaboration-carets__label')).toHaveText('王樓長');
  });

  await tablet.screenshot({ path: artifact('live-document-tablet-1024x768.png'), fullPage: true });
  await host.screenshot({ path: artifact('live-document-1920x1080.png'), fullPage: true });

  await test.step('the tablet goes offline, keeps editing, and merges on return', async () => {
    await tabletContext.setOffline(true);
    await expect(tablet.getByTestId('doc-status')).toHaveAttribute('data-state', 'offline');
    await titleOf(tablet, 3).click();
    await tablet.keyboard.press('End');
    await tablet.keyboard.type('事项');
    const tabletNotes = await notes(tablet, 2);
    // Into the last list item itself: a click in the middle of the editor followed by Ctrl+End
    // sometimes left the caret in the first item.
    await tabletNotes.locator('ul > li').last().click();
    await tablet.keyboard.press('End');
    await tablet.keyboard.press('Enter');
    await tablet.keyboard.type('物业本周清理');
    const status = tablet.getByTestId('doc-status');
    await expect(status).toHaveText(/离线 — \d+ 处修改待同步$/);
    expect(Number(await status.getAttribute('data-pending'))).toBeGreaterThan(0);
    await tablet.screenshot({ path: artifact('live-document-offline-1024x768.png') });

    // Meanwhile the host edits the same notes and the same title.
    const hostNotes = await notes(host, 2);
    await hostNotes.locator('p').first().click();
    await host.keyboard.press('Home');
    await host.keyboard.type('【急】');
    await titleOf(host, 3).click();
    await host.keyboard.press('Home');
    await host.keyboard.type('其他：');
    await expect(hostNotes).not.toContainText('物业本周清理');

    await tabletContext.setOffline(false);
    await expect(status).toHaveAttribute('data-state', 'connected');
    await expect(status).toHaveAttribute('data-pending', '0');
    for (const page of [host, tablet]) {
      await expect(titleOf(page, 3)).toHaveValue('其他：其他事项');
      const editor = await notes(page, 2);
      await expect
        .poll(() => textOf(editor))
        .toBe('【急】张阿姨反映：一楼堆放纸箱消防通道堵塞物业本周清理');
    }
  });

  await test.step('edits made offline survive closing the tab and are sent when it reopens; a reload without network still shows the meeting', async () => {
    await tabletContext.setOffline(true);
    await expect(tablet.getByTestId('doc-status')).toHaveAttribute('data-state', 'offline');
    const before = await storedUpdates(tablet, meeting.id);
    await titleOf(tablet, 4).click();
    await tablet.keyboard.press('End');
    await tablet.keyboard.type('与表决');
    await expect(tablet.getByTestId('doc-status')).toHaveText(/离线 — \d+ 处修改待同步$/);
    // IndexedDB holds the edit before the tab goes away.
    await expect.poll(() => storedUpdates(tablet, meeting.id)).toBeGreaterThan(before);
    await tablet.close();
    await expect(titleOf(host, 4)).toHaveValue('议定事项');

    await tabletContext.setOffline(false);
    const reopened = await tabletContext.newPage();
    await reopened.goto(`/m/${meeting.id}`);
    await expect(reopened.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');
    await expect(titleOf(host, 4)).toHaveValue('议定事项与表决');
    await expect(titleOf(reopened, 4)).toHaveValue('议定事项与表决');

    // The service worker took over this tab: a reload without network still shows the meeting.
    await reopened.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await tabletContext.setOffline(true);
    await reopened.reload();
    await expect(reopened.getByTestId('doc-status')).toHaveAttribute('data-state', 'offline');
    await expect(titleOf(reopened, 4)).toHaveValue('议定事项与表决');
    await reopened.screenshot({ path: artifact('live-document-reloaded-offline-1024x768.png') });
    await titleOf(reopened, 4).click();
    await reopened.keyboard.press('End');
    await reopened.keyboard.type('（离线重载后）');
    await expect(reopened.getByTestId('doc-status')).toHaveText(/离线 — \d+ 处修改待同步$/);
    await tabletContext.setOffline(false);
    await expect(reopened.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');
    await expect(titleOf(host, 4)).toHaveValue('议定事项与表决（离线重载后）');
    await reopened.close();
  });

  const tablet2 = await tabletContext.newPage();
  await tablet2.goto(`/m/${meeting.id}`);
  await expect(tablet2.getByTestId('doc-status')).toHaveAttribute('data-state', 'connected');

  await test.step('IME composition in a title and in the notes: no lost or doubled characters', async () => {
    const cdp = await tabletContext.newCDPSession(tablet2);
    await titleOf(tablet2, 2).click();
    await tablet2.keyboard.press('End');
    await compose(cdp, ['l', 'lou', 'loud', 'louda', '樓道', '樓道'], '樓道');
    await expect(titleOf(tablet2, 2)).toHaveValue('清理楼道杂物樓道');
    await expect(titleOf(host, 2)).toHaveValue('清理楼道杂物樓道');

    const editor = await notes(tablet2, 2);
    await editor.locator('p').first().click();
    await tablet2.keyboard.press('End');
    await compose(cdp, ['ㄌ', 'ㄌㄡ', 'ㄌㄡˊ', '樓'], '樓');
    await compose(cdp, ['d', 'da', 'dao', '道'], '道');
    const expected = '【急】张阿姨反映：樓道';
    await expect.poll(() => textOf(editor.locator('p').first())).toBe(expected);
    const hostNotes = await notes(host, 2);
    await expect.poll(() => textOf(hostNotes.locator('p').first())).toBe(expected);
    await cdp.detach();
  });

  await test.step('screenshots at tablet, phone and projector sizes; no horizontal scroll', async () => {
    await tablet2.screenshot({ path: artifact('live-document-tablet2-1024x768.png'), fullPage: true });
    await host.setViewportSize({ width: 1920, height: 1080 });
    await host.screenshot({ path: artifact('live-document-host-1920x1080.png'), fullPage: true });
    await expectNoHorizontalScroll(host);
    await tablet2.setViewportSize({ width: 390, height: 844 });
    await expect(tablet2.getByTestId('agenda-item')).toHaveCount(5);
    await tablet2.screenshot({ path: artifact('live-document-390x844.png'), fullPage: true });
    await item(tablet2, 2).screenshot({ path: artifact('live-document-item-390.png') });
    await expectNoHorizontalScroll(tablet2);
  });

  await hostContext.close();
  await tabletContext.close();
});
